package dev.vecgrad.train.data;

import dev.vecgrad.train.tokenizer.CharTokenizer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataTest {

    @Test
    void charTokenizerRoundTripsAndNamesUnknownCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("hello world\n");
        assertEquals("\n dehlorw", tok.vocabString());
        int[] ids = tok.encode("world hello");
        assertEquals("world hello", tok.decode(ids));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("help!"));
        assertTrue(e.getMessage().contains("'p'") && e.getMessage().contains("position 3"), e.getMessage());
        assertEquals(tok.vocabString(), CharTokenizer.fromCodePoints(tok.codePoints()).vocabString());
    }

    /** A small vocabulary is spelled out, with invisible characters escaped, so the user sees what would fit. */
    @Test
    void anUnknownCharacterErrorListsASmallVocabularyWithEscapes() {
        CharTokenizer tok = CharTokenizer.fromText("ab \n\t\"\\\u00e9\u200b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("ax"));
        assertEquals("tokenizer: character 'x' at position 1 is not in the vocabulary \"\\t\\n \\\"\\\\ab\u00e9\\u200B\" (9 characters)",
                e.getMessage());
        StringBuilder big = new StringBuilder();
        for (int c = 0x100; c < 0x100 + 101; c++) big.appendCodePoint(c);
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText(big).encode("a"));
        assertEquals("tokenizer: character 'a' at position 0 is not in the vocabulary of 101 characters", many.getMessage());
    }

    @Test
    void tokenizerHandlesCharactersOutsideTheBmp() {
        CharTokenizer tok = CharTokenizer.fromText("a\uD83D\uDE00b");
        assertEquals(3, tok.vocabSize());
        assertEquals("b\uD83D\uDE00a", tok.decode(tok.encode("b\uD83D\uDE00a")));
    }

    @Test
    void datasetSplitsNinetyTenAndSamplesContiguousWindows() {
        int[] ids = new int[1000];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 50;
        TextDataset ds = new TextDataset(ids, 0.9);
        assertEquals(900, ds.size(TextDataset.Split.TRAIN));
        assertEquals(100, ds.size(TextDataset.Split.VAL));
        Batch b = ds.sample(TextDataset.Split.VAL, 4, 8, new SplittableRandom(1));
        for (int r = 0; r < 4; r++) {
            for (int t = 0; t < 8; t++) assertEquals((b.idx()[r * 8 + t] + 1) % 50, b.targets()[r * 8 + t]);
        }
        Batch again = ds.sample(TextDataset.Split.VAL, 4, 8, new SplittableRandom(1));
        assertArrayEquals(b.idx(), again.idx());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.requireWindows(100, "tiny.txt"));
        assertTrue(e.getMessage().contains("val split has 100 tokens"), e.getMessage());
    }

    @Test
    void aSplitOfOneTokenIsNotPlural() {
        // A 2-character file said "the train split has 1 tokens".
        TextDataset ds = new TextDataset(new int[] {0, 1}, 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.requireWindows(64, "two.txt"));
        assertEquals("two.txt: the train split has 1 token but block size 64 needs at least 65 (the whole file has 2 tokens)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ds.sample(TextDataset.Split.VAL, 1, 4, new SplittableRandom(1)));
        assertEquals("dataset: the val split has 1 token, fewer than block size + 1 = 5", e.getMessage());
    }

    @Test
    void additionProblemsAreReversedAndHeldOutIsDisjoint() {
        AdditionTask task = new AdditionTask(2, 1000, 7);
        assertEquals("12+34=", task.prompt(12, 34));
        assertEquals("640", task.answer(12, 34));
        assertEquals("891", task.answer(99, 99));
        assertEquals(46, AdditionTask.parseAnswer("640"));
        assertEquals(-1, AdditionTask.parseAnswer("6+0"));
        assertEquals(8, task.blockSize());
        assertEquals(1000, task.heldOut().size());
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 50; i++) {
            Batch b = task.sample(16, rng);
            for (int r = 0; r < 16; r++) {
                String text = task.tokenizer().decode(java.util.Arrays.copyOfRange(b.idx(), r * 8, r * 8 + 6));
                int a = Integer.parseInt(text.substring(0, 2)), c = Integer.parseInt(text.substring(3, 5));
                assertFalse(task.isHeldOut(a, c), "training problem " + text + " is held out");
                // only the answer positions carry targets
                for (int t = 0; t < 8; t++) assertEquals(t >= 5, b.targets()[r * 8 + t] >= 0);
            }
        }
    }
}
