package dev.vecgrad.train.tokenizer;

import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token ids of a data file cached on disk, so a second run with the same data and tokenizer
 * skips encoding: {@code tokens-<data sha256 prefix>-<tokenizer hash prefix>.safetensors} with
 * one I32 tensor {@code ids} and both full hashes in the metadata. A cache file that does not
 * check out (other hashes, damaged) is ignored and rewritten.
 */
public final class TokenCache {
    private TokenCache() {}

    /**
     * The cache file for a data hash and a tokenizer.
     *
     * @param dir the cache directory
     * @param dataSha256 the data file's SHA-256 (hex)
     * @param tokenizer the tokenizer, identified by its {@link Tokenizer#hash()}
     * @return {@code dir/tokens-<data prefix>-<tokenizer prefix>.safetensors}
     */
    public static Path file(Path dir, String dataSha256, Tokenizer tokenizer) {
        return dir.resolve("tokens-" + dataSha256.substring(0, 16) + "-" + tokenizer.hash().substring(0, 16)
                + ".safetensors");
    }

    /**
     * The cached ids. A damaged or mismatched file is not an error: the data is simply encoded again.
     *
     * @param dir the cache directory
     * @param dataSha256 the data file's SHA-256 (hex)
     * @param tokenizer the tokenizer
     * @return the ids, or null when there is no valid cache file (missing, other hashes, ids out of range, unreadable)
     */
    public static int[] read(Path dir, String dataSha256, Tokenizer tokenizer) {
        Path f = file(dir, dataSha256, tokenizer);
        if (!Files.isRegularFile(f)) return null;
        try {
            SafeTensorsFile st = SafeTensors.read(f);
            if (!dataSha256.equals(st.metadata().get("data_sha256"))
                    || !tokenizer.hash().equals(st.metadata().get("tokenizer_sha256"))) {
                return null;
            }
            long[] ids = st.get("ids").toLongs();
            int[] out = new int[ids.length];
            int v = tokenizer.vocabSize();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= v) return null;
                out[i] = (int) ids[i];
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            return null; // damaged: encode again
        }
    }

    /**
     * Writes the ids atomically, with both full hashes in the metadata.
     *
     * @param dir the cache directory (created if needed)
     * @param dataSha256 the data file's SHA-256 (hex)
     * @param tokenizer the tokenizer
     * @param ids the encoded data
     * @throws IOException when writing fails
     */
    public static void write(Path dir, String dataSha256, Tokenizer tokenizer, int[] ids) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("data_sha256", dataSha256);
        meta.put("tokenizer_sha256", tokenizer.hash());
        SafeTensors.write(file(dir, dataSha256, tokenizer), java.util.List.of(SafeTensor.i32("ids", ids, ids.length)), meta);
    }
}
