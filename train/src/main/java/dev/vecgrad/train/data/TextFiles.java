package dev.vecgrad.train.data;

import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;

/**
 * Reads a UTF-8 training text: strict decoding, a SHA-256 of the bytes, clear errors.
 *
 * <p>The file is streamed twice and never held as text. The first pass decodes it, hashes it,
 * counts its characters and collects the vocabulary (or, when a tokenizer is given, checks every
 * character against it); the second decodes it again straight into a {@link TokenArray} of
 * exactly the counted size. The heap needed is about one byte a character (two when the text has
 * more than 256 distinct characters), plus fixed buffers.
 */
public final class TextFiles {
    private TextFiles() {}

    /** Characters decoded per read. */
    private static final int CHUNK = 1 << 16;
    /** The NUL check looks at this many leading chars (a binary file shows itself early). */
    private static final int NUL_WINDOW = 1 << 16;

    /**
     * The tokenized file.
     *
     * @param tokens one token per character (code point)
     * @param tokenizer the tokenizer used: the given one, or the one built from the text
     * @param bytes the file's size
     * @param sha256 the SHA-256 of the bytes, in hex (recorded with a run, so resuming can check the data)
     */
    public record Loaded(TokenArray tokens, CharTokenizer tokenizer, long bytes, String sha256) {
        /** {@return the number of tokens, i.e. characters (code points) in the file} */
        public int tokenCount() {
            return tokens.length();
        }
    }

    /**
     * The SHA-256 of a file's bytes, in hex: the hash {@link #load} and {@link #readText} record,
     * without decoding or tokenizing the text.
     *
     * @param file a file
     * @return the hash in lower-case hex
     * @throws IOException when the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Loads {@code file}. With {@code tokenizer} null the vocabulary is built from the text.
     *
     * @param file a UTF-8 text file
     * @param tokenizer the vocabulary to check the text against, or null to build one
     * @return the tokens, the tokenizer, the size and the hash
     * @throws IOException (with a message naming the file) when it is missing, not a regular
     *     file, empty, too large, not valid UTF-8, holds NUL characters, holds more distinct
     *     characters than a {@link TokenArray} can number, holds characters the given tokenizer
     *     does not know, or changes while it is read
     */
    public static Loaded load(Path file, CharTokenizer tokenizer) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not a regular file");
        long size = Files.size(file);
        if (size == 0) throw new IOException(file + ": the file is empty");
        if (size > Integer.MAX_VALUE) throw new IOException(file + ": " + size + " bytes is too large (the limit is 2 GiB)");

        Lookup given = tokenizer == null ? null : new Lookup(tokenizer);
        Survey survey = new Survey(given);
        byte[] sha = survey.run(file);
        if (survey.nulAt >= 0) throw new IOException(file + ": contains NUL bytes; expected plain text");
        if (survey.unknownAt >= 0) {
            throw new IOException(file + ": tokenizer: character " + CharTokenizer.describe(survey.unknown) + " at position "
                    + survey.unknownAt + " is not in " + tokenizer.vocabularyForMessages());
        }
        if (survey.count > TokenArray.MAX_TOKENS) {
            throw new IOException(file + ": " + survey.count + " characters is too many (the limit is " + TokenArray.MAX_TOKENS + ")");
        }
        CharTokenizer tok = tokenizer;
        if (tok == null) {
            int distinct = survey.seen.cardinality();
            if (distinct > TokenArray.MAX_VOCAB) {
                throw new IOException(file + ": " + distinct + " distinct characters is too many for a character-level vocabulary"
                        + " (the limit is " + TokenArray.MAX_VOCAB + ")");
            }
            tok = CharTokenizer.fromCodePoints(survey.seen.stream().toArray());
        } else if (tok.vocabSize() > TokenArray.MAX_VOCAB) {
            throw new IOException(file + ": the tokenizer has " + tok.vocabSize() + " characters, more than the "
                    + TokenArray.MAX_VOCAB + " a character-level dataset can number");
        }

        Encode encode = new Encode(given != null ? given : new Lookup(tok), TokenArray.allocate((int) survey.count, tok.vocabSize()));
        byte[] again = encode.run(file);
        if (encode.changed || encode.at != survey.count || encode.bytes != survey.bytes || !Arrays.equals(sha, again)) {
            throw new IOException(file + ": the file changed while it was being read; try again once nothing writes to it");
        }
        return new Loaded(encode.tokens, tok, survey.bytes, HexFormat.of().formatHex(sha));
    }

    /**
     * A whole text file.
     *
     * @param text its content
     * @param bytes its size in bytes
     * @param sha256 the SHA-256 of the bytes, in hex
     */
    public record Text(String text, long bytes, String sha256) {}

    /**
     * Reads a whole UTF-8 text file into memory (for tokenizers that need the text itself, such as BPE),
     * with the same checks as {@link #load}.
     *
     * @param file a UTF-8 text file
     * @return the text, its size and hash
     * @throws IOException naming the file when it is missing, not a regular file, empty, too large
     *     for one string, not valid UTF-8 or holds NUL characters
     */
    public static Text readText(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not a regular file");
        long size = Files.size(file);
        if (size == 0) throw new IOException(file + ": the file is empty");
        if (size > Integer.MAX_VALUE / 2) {
            throw new IOException(file + ": " + size + " bytes is too large to tokenize in memory (the limit is 1 GiB)");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text (is it a binary file?)");
        }
        int nul = text.indexOf('\0');
        if (nul >= 0 && nul < NUL_WINDOW) throw new IOException(file + ": contains NUL bytes; expected plain text");
        try {
            return new Text(text, bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Code point to id: a table for the Basic Multilingual Plane, a binary search above it. */
    private static final class Lookup {
        private final int[] bmp = new int[1 << 16];
        private final CharTokenizer tokenizer;

        Lookup(CharTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            Arrays.fill(bmp, -1);
            int[] cps = tokenizer.codePoints();
            for (int id = 0; id < cps.length; id++) {
                if (cps[id] >= 0 && cps[id] < bmp.length) bmp[cps[id]] = id;
            }
        }

        int id(int cp) {
            return cp < bmp.length ? bmp[cp] : tokenizer.idOf(cp);
        }
    }

    /** Receives the code points of a text in order, with the index of each one's first char. */
    interface CodePointSink {
        void accept(int cp, long charIndex);
    }

    /**
     * Reads {@code r} to its end through {@code buf} and hands each code point to {@code sink}. A
     * surrogate pair that a read splits is carried over to the next read, so it arrives as one
     * code point; a lone surrogate (which strict UTF-8 decoding cannot produce) arrives as
     * itself, as {@link String#codePoints()} treats it.
     */
    static void walk(Reader r, char[] buf, CodePointSink sink) throws IOException {
        long charIndex = 0; // chars (UTF-16 units) before buf[0]
        int carry = 0;
        while (true) {
            int n = r.read(buf, carry, buf.length - carry);
            boolean eof = n < 0;
            int end = carry + Math.max(n, 0);
            if (end == 0 && eof) return;
            int i = 0;
            carry = 0;
            while (i < end) {
                char c = buf[i];
                if (Character.isHighSurrogate(c)) {
                    if (i + 1 < end) {
                        if (Character.isLowSurrogate(buf[i + 1])) {
                            sink.accept(Character.toCodePoint(c, buf[i + 1]), charIndex + i);
                            i += 2;
                            continue;
                        }
                    } else if (!eof) {
                        buf[0] = c; // its low half comes with the next read
                        carry = 1;
                        break;
                    }
                }
                sink.accept(c, charIndex + i);
                i++;
            }
            charIndex += end - carry;
            if (eof) return;
        }
    }

    /** One streaming pass over a file: strict UTF-8 decoding in chunks, hashing and counting the bytes. */
    private abstract static class Pass implements CodePointSink {
        long bytes;

        /** Runs the pass and returns the SHA-256 of the bytes read. */
        final byte[] run(Path file) throws IOException {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            try (Counting in = new Counting(new DigestInputStream(Files.newInputStream(file), sha));
                 Reader r = new InputStreamReader(in, dec)) {
                walk(r, new char[CHUNK], this);
                bytes = in.count;
            } catch (CharacterCodingException e) {
                throw new IOException(file + ": not valid UTF-8 text (is it a binary file?)");
            }
            return sha.digest();
        }
    }

    /** Pass 1: counts code points, finds NULs, and collects the vocabulary or the first unknown character. */
    private static final class Survey extends Pass {
        final Lookup known;       // the given tokenizer, or null to collect the vocabulary
        final BitSet seen;        // code points seen, when collecting
        long count;
        long nulAt = -1;
        long unknownAt = -1;
        int unknown;

        Survey(Lookup known) {
            this.known = known;
            this.seen = known == null ? new BitSet(Character.MAX_CODE_POINT + 1) : null;
        }

        @Override
        public void accept(int cp, long charIndex) {
            if (cp == 0 && charIndex < NUL_WINDOW && nulAt < 0) nulAt = charIndex;
            if (known == null) {
                seen.set(cp);
            } else if (unknownAt < 0 && known.id(cp) < 0) {
                unknownAt = count;
                unknown = cp;
            }
            count++;
        }
    }

    /** Pass 2: writes each code point's id into the token array; notes if the file no longer matches pass 1. */
    private static final class Encode extends Pass {
        final Lookup ids;
        final TokenArray tokens;
        long at;
        boolean changed;

        Encode(Lookup ids, TokenArray tokens) {
            this.ids = ids;
            this.tokens = tokens;
        }

        @Override
        public void accept(int cp, long charIndex) {
            int id = ids.id(cp);
            if (id < 0 || at >= tokens.length()) {
                changed = true;
            } else {
                tokens.set((int) at, id);
            }
            at++;
        }
    }

    /** Counts the bytes that pass through. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
