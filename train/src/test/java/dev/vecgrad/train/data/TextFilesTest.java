package dev.vecgrad.train.data;

import dev.vecgrad.train.tokenizer.CharTokenizer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {
    @TempDir Path tmp;

    /**
     * Two-, three- and four-byte characters (the last a surrogate pair in Java) at every
     * alignment, over several hundred thousand characters, so the loader's 64 Ki-char chunks and
     * the decoder's byte buffer both end inside sequences and between the halves of pairs.
     */
    @Test
    void multiByteTextAcrossChunkBoundariesRoundTripsExactly() throws Exception {
        String[] pieces = {"a", "é", "你", "\uD83D\uDE00", "\n", "ß", "\uD834\uDD1E", " "};
        for (int shift = 0; shift < 4; shift++) {
            StringBuilder sb = new StringBuilder("x".repeat(shift));
            SplittableRandom r = new SplittableRandom(shift);
            while (sb.length() < 300_000) sb.append(pieces[r.nextInt(pieces.length)]);
            String text = sb.toString();
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            Path f = Files.write(tmp.resolve("multi" + shift + ".txt"), utf8);

            TextFiles.Loaded built = TextFiles.load(f, null);
            CharTokenizer expected = CharTokenizer.fromText(text);
            assertEquals(expected.vocabString(), built.tokenizer().vocabString());
            assertEquals(text.codePointCount(0, text.length()), built.tokenCount());
            assertEquals(1, built.tokens().bytesPerToken());
            assertArrayEquals(expected.encode(text), built.tokens().toIntArray());
            assertEquals(text, built.tokenizer().decode(built.tokens().toIntArray()));
            assertEquals(utf8.length, built.bytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8)), built.sha256());

            // The resume path: the same file with the saved tokenizer gives the same tokens.
            TextFiles.Loaded resumed = TextFiles.load(f, CharTokenizer.fromCodePoints(expected.codePoints()));
            assertArrayEquals(built.tokens().toIntArray(), resumed.tokens().toIntArray());
            assertEquals(built.sha256(), resumed.sha256());
        }
    }

    /** A surrogate pair whose high half is the last char of a 64 Ki-char chunk. */
    @Test
    void aSurrogatePairOnTheChunkEdgeIsOneToken() throws IOException {
        for (int before = (1 << 16) - 2; before <= (1 << 16) + 1; before++) {
            String text = "a".repeat(before) + "\uD83D\uDE00" + "b";
            Path f = Files.writeString(tmp.resolve("edge.txt"), text);
            TextFiles.Loaded l = TextFiles.load(f, null);
            assertEquals(before + 2, l.tokenCount(), "prefix " + before);
            assertEquals("a\uD83D\uDE00b".codePoints().sorted().boxed().toList(),
                    Arrays.stream(l.tokenizer().codePoints()).boxed().toList());
            assertEquals(text, l.tokenizer().decode(l.tokens().toIntArray()));
        }
    }

    /**
     * The decoder never splits a pair on its own, but a Reader may: feed the code-point walk a
     * reader that returns one to three chars at a time, into a tiny buffer.
     */
    @Test
    void theWalkJoinsPairsSplitBetweenReads() throws IOException {
        String text = "a\uD83D\uDE00\uD83D\uDE00b\uD834\uDD1E" + "é你\uD83D\uDE00".repeat(50) + "\uD83D";
        SplittableRandom r = new SplittableRandom(3);
        java.io.Reader trickle = new java.io.Reader() {
            int at;

            @Override
            public int read(char[] cbuf, int off, int len) {
                if (at == text.length()) return -1;
                int n = Math.min(Math.min(len, 1 + r.nextInt(3)), text.length() - at);
                text.getChars(at, at + n, cbuf, off);
                at += n;
                return n;
            }

            @Override
            public void close() {}
        };
        java.util.List<Integer> cps = new java.util.ArrayList<>();
        java.util.List<Long> at = new java.util.ArrayList<>();
        TextFiles.walk(trickle, new char[4], (cp, i) -> {
            cps.add(cp);
            at.add(i);
        });
        assertEquals(text.codePoints().boxed().toList(), cps);
        for (int k = 0; k < cps.size(); k++) assertEquals(text.offsetByCodePoints(0, k), at.get(k).intValue());
    }

    /**
     * Sampling gives exactly the windows the old int[]/char[] dataset gave: the expectation is
     * computed here from the string itself with the same random draws.
     */
    @Test
    void sampledBatchesMatchWindowsOfTheText() throws IOException {
        StringBuilder sb = new StringBuilder();
        SplittableRandom gen = new SplittableRandom(5);
        String words = "the quick brown fox jumps over a lazy dog, said Ann; THEN: 12 + 30 = 42!\n";
        while (sb.length() < 20_000) sb.append(words.charAt(gen.nextInt(words.length())));
        checkSampling(sb.toString(), 1);

        // More than 256 distinct characters: two bytes a token, same windows.
        StringBuilder wide = new StringBuilder();
        while (wide.codePointCount(0, wide.length()) < 20_000) wide.appendCodePoint(0x4E00 + gen.nextInt(400));
        wide.appendCodePoint(0x1F600);
        checkSampling(wide.toString(), 2);
    }

    private void checkSampling(String text, int width) throws IOException {
        Path f = Files.writeString(tmp.resolve("s" + width + ".txt"), text);
        TextFiles.Loaded l = TextFiles.load(f, null);
        assertEquals(width, l.tokens().bytesPerToken());
        TextDataset ds = new TextDataset(l.tokens(), 0.9);
        int[] cps = text.codePoints().toArray();
        int[] vocab = Arrays.stream(cps).distinct().sorted().toArray();
        int n = cps.length, trainEnd = (int) (n * 0.9), batch = 5, block = 16;
        assertEquals(trainEnd, ds.size(TextDataset.Split.TRAIN));
        assertEquals(n - trainEnd, ds.size(TextDataset.Split.VAL));
        for (TextDataset.Split split : TextDataset.Split.values()) {
            SplittableRandom rng = new SplittableRandom(77), same = new SplittableRandom(77);
            for (int round = 0; round < 20; round++) {
                Batch b = ds.sample(split, batch, block, rng);
                int start = split == TextDataset.Split.TRAIN ? 0 : trainEnd;
                int size = split == TextDataset.Split.TRAIN ? trainEnd : n - trainEnd;
                for (int row = 0; row < batch; row++) {
                    int at = start + same.nextInt(size - block);
                    for (int t = 0; t < block; t++) {
                        assertEquals(Arrays.binarySearch(vocab, cps[at + t]), b.idx()[row * block + t]);
                        assertEquals(Arrays.binarySearch(vocab, cps[at + t + 1]), b.targets()[row * block + t]);
                    }
                }
            }
        }
        // The int[] constructor (for callers holding ids) samples the same windows.
        TextDataset fromInts = new TextDataset(l.tokens().toIntArray(), 0.9);
        assertArrayEquals(ds.sample(TextDataset.Split.TRAIN, 3, 8, new SplittableRandom(9)).idx(),
                fromInts.sample(TextDataset.Split.TRAIN, 3, 8, new SplittableRandom(9)).idx());
    }

    @Test
    void badFilesGetTheirOneLineErrors() throws IOException {
        assertThrows(NoSuchFileException.class, () -> TextFiles.load(tmp.resolve("nope.txt"), null));
        assertMessage(tmp, null, "not a regular file");
        assertMessage(Files.write(tmp.resolve("empty.txt"), new byte[0]), null, "the file is empty");
        assertMessage(Files.write(tmp.resolve("bin.dat"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2}), null,
                "not valid UTF-8 text (is it a binary file?)");
        // A multi-byte sequence cut off by the end of the file, after plenty of good text.
        byte[] cut = Arrays.copyOf("é".repeat(100_000).getBytes(StandardCharsets.UTF_8), 199_999);
        assertMessage(Files.write(tmp.resolve("cut.txt"), cut), null, "not valid UTF-8");
        // An encoded surrogate (CESU-style) is not UTF-8 either.
        assertMessage(Files.write(tmp.resolve("cesu.txt"), new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80}), null,
                "not valid UTF-8");
        assertMessage(Files.writeString(tmp.resolve("nul.txt"), "abc\0def"), null, "contains NUL bytes");
        Path text = Files.writeString(tmp.resolve("t.txt"), "abcabc\u00e9abc");
        assertMessage(text, CharTokenizer.of("abc"), "character 'é' U+00E9 at position 6 is not in the vocabulary \"abc\" (3 characters)");
    }

    @Test
    void aCharacterInAMessageIsShownWhereItIsVisible() {
        // It was only ever the code (U+00FC), which the user had to look up.
        assertEquals("'ü' U+00FC", CharTokenizer.describe(0xFC));
        assertEquals("'\uD83D\uDE42' U+1F642", CharTokenizer.describe(0x1F642));
        assertEquals("'a'", CharTokenizer.describe('a'));
        // Invisible ones, and a combining mark (which would draw over the quote), keep the code alone.
        assertEquals("U+200B", CharTokenizer.describe(0x200B));
        assertEquals("U+0301", CharTokenizer.describe(0x301));
        assertEquals("U+000A", CharTokenizer.describe('\n'));
    }

    @Test
    void moreDistinctCharactersThanIdsIsAClearError() throws IOException {
        StringBuilder sb = new StringBuilder();
        int distinct = 0;
        for (int cp = 0x20; distinct <= TokenArray.MAX_VOCAB; cp++) {
            if (Character.getType(cp) == Character.SURROGATE) continue;
            sb.appendCodePoint(cp);
            distinct++;
        }
        Path f = Files.writeString(tmp.resolve("many.txt"), sb);
        assertMessage(f, null, "65537 distinct characters is too many");
    }

    private static void assertMessage(Path f, CharTokenizer tok, String words) {
        IOException e = assertThrows(IOException.class, () -> TextFiles.load(f, tok));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(words), e.getMessage());
    }
}
