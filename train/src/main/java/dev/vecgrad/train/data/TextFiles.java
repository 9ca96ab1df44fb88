package dev.vecgrad.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.HexFormat;

/** Reads a UTF-8 training text: strict decoding, a SHA-256 of the bytes, clear errors. */
public final class TextFiles {
    private TextFiles() {}

    /** The tokenized file: its ids, tokenizer, size and hash. */
    public record Loaded(int[] ids, CharTokenizer tokenizer, long bytes, String sha256) {}

    /**
     * Loads {@code file}. With {@code tokenizer} null the vocabulary is built from the text.
     *
     * @throws IOException (with a message naming the file) when it is missing, not a regular
     *     file, empty, not valid UTF-8, or holds characters the given tokenizer does not know
     */
    public static Loaded load(Path file, CharTokenizer tokenizer) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": not a regular file");
        long size = Files.size(file);
        if (size == 0) throw new IOException(file + ": the file is empty");
        if (size > Integer.MAX_VALUE) throw new IOException(file + ": " + size + " bytes is too large (the limit is 2 GiB)");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder text = new StringBuilder((int) Math.min(size, Integer.MAX_VALUE - 8));
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha);
             Reader r = new InputStreamReader(in, dec)) {
            char[] buf = new char[1 << 16];
            for (int n; (n = r.read(buf)) > 0; ) text.append(buf, 0, n);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text (is it a binary file?)");
        }
        for (int i = 0; i < Math.min(text.length(), 1 << 16); i++) {
            if (text.charAt(i) == 0) throw new IOException(file + ": contains NUL bytes; expected plain text");
        }
        CharTokenizer tok = tokenizer != null ? tokenizer : CharTokenizer.fromText(text);
        int[] ids;
        try {
            ids = tok.encode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        return new Loaded(ids, tok, size, HexFormat.of().formatHex(sha.digest()));
    }
}
