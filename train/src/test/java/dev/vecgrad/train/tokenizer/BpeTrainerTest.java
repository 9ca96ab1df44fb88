package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    @TempDir
    Path tmp;

    /** A text in a made-up language: syllables, capitals, punctuation and line breaks. */
    static String generatedText(int words, long seed) {
        String[] syl = {"ka", "lo", "mi", "ra", "the", "an", "ing", "ed", "st", "qu", "ou", "é", "日"};
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            int n = 1 + r.nextInt(3);
            StringBuilder w = new StringBuilder();
            for (int k = 0; k < n; k++) w.append(syl[(int) Math.min(syl.length - 1, Math.abs(r.nextGaussian()) * 4)]);
            if (r.nextInt(10) == 0) w.setCharAt(0, Character.toUpperCase(w.charAt(0)));
            sb.append(w);
            int p = r.nextInt(20);
            sb.append(p == 0 ? ".\n" : p == 1 ? ", " : p == 2 ? " " + r.nextInt(1000) + " " : " ");
        }
        return sb.toString();
    }

    private static int[][] merges(BpeTokenizer t) {
        return t.merges();
    }

    @Test
    void knownMergeSequence() {
        // gpt2 chunks: "ab" x1, " ab" x2, " abc" x1.
        // pairs: (a,b)=4, (' ',a)=3, (b,c)=1           -> merge 256 = a+b
        // then:  (' ',256)=3, (256,c)=1                -> merge 257 = ' '+256
        // then:  (257,c)=1                             -> merge 258 = 257+c; no pairs remain
        BpeTokenizer t = BpeTrainer.train("ab ab ab abc", 300, SplitPattern.GPT2, List.of(), 1, null);
        assertArrayEquals(new int[][] {{'a', 'b'}, {' ', 256}, {257, 'c'}}, merges(t));
        assertEquals(259, t.vocabSize()); // stopped early: nothing left to merge
        assertEquals(" abc", t.piece(258));
        assertArrayEquals(new int[] {256, 257, 257, 258}, t.encode("ab ab ab abc"));
    }

    @Test
    void tiesGoToTheSmallerPair() {
        // chunks "xy", " zw": three pairs with count 1: (' ',z) < (x,y) < (z,w) by first id
        BpeTokenizer t = BpeTrainer.train("xy zw", 258, SplitPattern.GPT2, List.of(), 1, null);
        assertArrayEquals(new int[][] {{' ', 'z'}, {'x', 'y'}}, merges(t));
        // then (256,'w') and ... : counts tie at 1 again; 'x'=120 < 256
        BpeTokenizer t3 = BpeTrainer.train("xy zw", 259, SplitPattern.GPT2, List.of(), 1, null);
        assertArrayEquals(new int[][] {{' ', 'z'}, {'x', 'y'}, {256, 'w'}}, merges(t3));
    }

    @Test
    void overlappingPairsMergeLeftToRight() {
        // "aaaa" as one chunk: (a,a) occurs 3 times but merges twice (non-overlapping), then (256,256)
        BpeTokenizer t = BpeTrainer.train("aaaa", 300, null, List.of(), 1, null);
        assertArrayEquals(new int[][] {{'a', 'a'}, {256, 256}}, merges(t));
        assertArrayEquals(new int[] {256, 'a'}, t.encode("aaa"));
    }

    @Test
    void sameFileForEveryRunAndThreadCount() throws IOException {
        String text = generatedText(30_000, 7);
        BpeTokenizer one = BpeTrainer.train(text, 600, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
        BpeTokenizer again = BpeTrainer.train(text, 600, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
        BpeTokenizer four = BpeTrainer.train(text, 600, SplitPattern.GPT2, List.of("<|endoftext|>"), 4, null);
        TokenizerJson.write(tmp.resolve("a.json"), one);
        TokenizerJson.write(tmp.resolve("b.json"), again);
        TokenizerJson.write(tmp.resolve("c.json"), four);
        byte[] a = Files.readAllBytes(tmp.resolve("a.json"));
        assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b.json")));
        assertArrayEquals(a, Files.readAllBytes(tmp.resolve("c.json")));
        assertEquals(600, one.vocabSize());
        assertEquals(599, one.specialTokens().get("<|endoftext|>"));
    }

    @Test
    void mergesAreThoseOfANaiveTrainer() {
        // Reference: recount every pair from scratch after each merge (minbpe's loop), same tie-break.
        String text = generatedText(3_000, 11);
        int vocab = 256 + 60;
        BpeTokenizer t = BpeTrainer.train(text, vocab, SplitPattern.GPT4, List.of(), 2, null);
        assertArrayEquals(NaiveTrainer.merges(text, SplitPattern.GPT4, vocab - 256), merges(t));
    }

    @Test
    void tokenizerJsonRoundTrip() throws IOException {
        for (SplitPattern p : new SplitPattern[] {SplitPattern.GPT2, SplitPattern.GPT4, null}) {
            // without a pattern the whole text is one chunk: keep it short
            String text = generatedText(p == null ? 1_500 : 20_000, 3);
            BpeTokenizer t = BpeTrainer.train(text, 512, p, List.of("<|endoftext|>", "<|pad|>"), 2, null);
            Path f = tmp.resolve("tokenizer.json");
            TokenizerJson.write(f, t);
            BpeTokenizer back = TokenizerFiles.load(f);
            assertEquals(t.toJson(), back.toJson());
            assertEquals(t.hash(), back.hash());
            String sample = text.substring(0, Math.min(5000, text.length())) + "<|pad|> tail";
            assertArrayEquals(t.encode(sample), back.encode(sample));
            assertArrayEquals(t.encode(sample, Set.of("<|pad|>")), back.encode(sample, Set.of("<|pad|>")));
            assertEquals(sample, back.decode(back.encode(sample)));
            Tokenizer restored = Tokenizers.fromJson("test", t.toJson());
            assertArrayEquals(t.encode(sample), restored.encode(sample));
        }
    }

    @Test
    void gpt2FilesRoundTrip() throws IOException {
        String text = generatedText(20_000, 5);
        BpeTokenizer t = BpeTrainer.train(text, 400, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
        Gpt2Files.write(tmp, t);
        BpeTokenizer back = TokenizerFiles.load(tmp);
        assertEquals(t.toJson(), back.toJson());
        assertTrue(Files.readString(tmp.resolve("merges.txt")).startsWith("#version: 0.2\n"));
        BpeTokenizer gpt4 = BpeTrainer.train(text, 300, SplitPattern.GPT4, List.of(), 1, null);
        assertThrows(IllegalArgumentException.class, () -> Gpt2Files.write(tmp.resolve("x"), gpt4));
    }

    @Test
    void specialTokensAreNeverMergedAndOnlyEncodedWhenAllowed() {
        String text = "<|endoftext|>hello world<|endoftext|>hello there<|endoftext|>".repeat(50);
        BpeTokenizer t = BpeTrainer.train(text, 300, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);
        int eot = t.specialTokens().get("<|endoftext|>");
        for (int id = 256; id < eot; id++) {
            String piece = t.piece(id);
            assertTrue(!piece.contains("<|") && !piece.contains("|>"), () -> "merged across a special: " + piece);
        }
        int[] plain = t.encode("a<|endoftext|>b");
        assertTrue(java.util.Arrays.stream(plain).noneMatch(x -> x == eot));
        assertArrayEquals(new int[] {'a', eot, 'b'}, t.encode("a<|endoftext|>b", Set.of("<|endoftext|>")));
        assertThrows(IllegalArgumentException.class, () -> t.encode("x", Set.of("<|nope|>")));
    }

    @Test
    void vocabularyTooSmallIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> BpeTrainer.train("abc", 256, SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void parallelEncodingEqualsSerial() {
        String text = generatedText(40_000, 9);
        BpeTokenizer t = BpeTrainer.train(text, 700, SplitPattern.GPT2, List.of(), 2, null);
        assertArrayEquals(t.encode(text), t.encodeParallel(text, 3));
        BpeTokenizer g = BpeTrainer.train(text, 700, SplitPattern.GPT4, List.of(), 2, null);
        assertArrayEquals(g.encode(text), g.encodeParallel(text, 4));
    }
}
