package dev.vecgrad.train.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * tiktoken's {@code .tiktoken} rank files: one {@code base64(token bytes) rank} line per token; the
 * rank is the token's id and its merge priority. The file holds neither the pre-tokenization
 * pattern nor the special tokens; they come from the encoding's name (tiktoken keeps them in
 * code): {@code r50k_base}/{@code p50k_base} use GPT-2's pattern and {@code <|endoftext|>} = 50256,
 * {@code cl100k_base} GPT-4's pattern and its five special tokens. Other names get GPT-2's pattern
 * and no special tokens unless given.
 */
public final class TiktokenFile {
    private TiktokenFile() {}

    /**
     * Reads a {@code .tiktoken} file with the pattern and special tokens its name implies:
     * {@code r50k*} and {@code p50k*} GPT-2's, {@code cl100k*} GPT-4's; any other name gets GPT-2's
     * pattern and no special tokens.
     *
     * @param file the rank file
     * @return the tokenizer
     * @throws TokenizerFormatException naming the file and line of the first malformed entry
     * @throws IOException when the file cannot be read
     */
    public static BpeTokenizer read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        Map<String, Integer> specials = new LinkedHashMap<>();
        SplitPattern pattern = SplitPattern.GPT2;
        if (name.startsWith("r50k") || name.startsWith("p50k")) {
            specials.put("<|endoftext|>", 50256);
        } else if (name.startsWith("cl100k")) {
            pattern = SplitPattern.GPT4;
            specials.put("<|endoftext|>", 100257);
            specials.put("<|fim_prefix|>", 100258);
            specials.put("<|fim_middle|>", 100259);
            specials.put("<|fim_suffix|>", 100260);
            specials.put("<|endofprompt|>", 100276);
        }
        return read(file, pattern, specials);
    }

    /**
     * Reads a {@code .tiktoken} file with the given pattern and special tokens.
     *
     * @param file the rank file
     * @param pattern the pre-tokenization pattern
     * @param specials special tokens and their ids (after the ranks)
     * @return the tokenizer
     * @throws TokenizerFormatException naming the file and line of the first malformed entry
     * @throws IOException when the file cannot be read
     */
    public static BpeTokenizer read(Path file, SplitPattern pattern, Map<String, Integer> specials) throws IOException {
        String src = file.toString();
        List<byte[]> byRank = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Base64.Decoder b64 = Base64.getDecoder();
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(TokenizerJson.readUtf8(file)))) {
            String line;
            int ln = 0;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isEmpty()) continue;
                int sp = line.indexOf(' ');
                if (sp <= 0 || line.indexOf(' ', sp + 1) >= 0) {
                    throw new TokenizerFormatException(src, "line " + ln + " is '" + clip(line)
                            + "'; expected 'base64 rank'");
                }
                byte[] tok;
                try {
                    tok = b64.decode(line.substring(0, sp));
                } catch (IllegalArgumentException e) {
                    throw new TokenizerFormatException(src, "line " + ln + ": '" + clip(line.substring(0, sp))
                            + "' is not base64 (" + e.getMessage() + ")");
                }
                if (tok.length == 0) throw new TokenizerFormatException(src, "line " + ln + ": empty token");
                int rank;
                try {
                    rank = Integer.parseInt(line.substring(sp + 1));
                } catch (NumberFormatException e) {
                    throw new TokenizerFormatException(src, "line " + ln + ": rank '" + clip(line.substring(sp + 1))
                            + "' is not an integer");
                }
                if (rank < 0 || rank > TokenizerJson.MAX_ID) {
                    throw new TokenizerFormatException(src, "line " + ln + ": rank " + rank + " is outside 0.."
                            + TokenizerJson.MAX_ID);
                }
                while (byRank.size() <= rank) byRank.add(null);
                if (byRank.get(rank) != null) {
                    throw new TokenizerFormatException(src, "line " + ln + ": rank " + rank + " appears twice");
                }
                Integer dup = seen.putIfAbsent(BpeTokenizer.latin1(tok), rank);
                if (dup != null) {
                    throw new TokenizerFormatException(src, "line " + ln + ": the token of rank " + rank
                            + " repeats the token of rank " + dup);
                }
                byRank.set(rank, tok);
            }
        }
        if (byRank.isEmpty()) throw new TokenizerFormatException(src, "no tokens");
        try {
            return BpeTokenizer.fromRanks(byRank.toArray(new byte[0][]), specials, pattern);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(src, e.getMessage());
        }
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
