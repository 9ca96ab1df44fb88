package dev.vecgrad.train.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * Test helper: jtokkit (a Java tiktoken) as the reference for GPT-2's and GPT-4's tokenizers, and
 * a converter from its {@code r50k_base} ranks to GPT-2's {@code vocab.json} + {@code merges.txt}.
 * The converter is written independently of the code under test (its own byte alphabet and its
 * own merge recovery), so a parity test checks one against the other.
 */
final class Jtokkit {
    private static final EncodingRegistry REGISTRY = Encodings.newDefaultEncodingRegistry();
    private static final Map<String, byte[]> RESOURCES = new HashMap<>();

    private Jtokkit() {}

    static Encoding r50k() {
        return REGISTRY.getEncoding(EncodingType.R50K_BASE);
    }

    static Encoding cl100k() {
        return REGISTRY.getEncoding(EncodingType.CL100K_BASE);
    }

    static int[] ids(Encoding e, String text) {
        return e.encodeOrdinary(text).toArray();
    }

    /** The bytes of a {@code .tiktoken} file shipped inside jtokkit, e.g. {@code r50k_base}. */
    static synchronized byte[] resource(String name) {
        return RESOURCES.computeIfAbsent(name, n -> {
            try (InputStream in = Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/" + n + ".tiktoken")) {
                if (in == null) throw new IllegalStateException("jtokkit has no " + n + ".tiktoken");
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Copies a jtokkit rank file to {@code dir/name.tiktoken}. */
    static Path tiktokenFile(Path dir, String name) throws IOException {
        Path p = dir.resolve(name + ".tiktoken");
        Files.write(p, resource(name));
        return p;
    }

    /** GPT-2's byte alphabet, straight from {@code bytes_to_unicode} in OpenAI's encoder.py. */
    static char[] gpt2Alphabet() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        char[] map = new char[256];
        for (int i = 0; i < 256; i++) map[bs.get(i)] = (char) (int) cs.get(i);
        return map;
    }

    /**
     * Writes {@code vocab.json} and {@code merges.txt} for jtokkit's {@code r50k_base} (GPT-2):
     * the vocabulary is the ranks, and each token's merge is found by BPE-encoding its bytes with
     * the lower-ranked tokens only, which leaves exactly two parts.
     */
    static void writeGpt2Files(Path dir) throws IOException {
        Map<String, Integer> ranks = new LinkedHashMap<>(); // bytes as Latin-1 -> rank
        List<byte[]> byRank = new ArrayList<>();
        for (String line : new String(resource("r50k_base"), StandardCharsets.US_ASCII).split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split(" ");
            byte[] tok = Base64.getDecoder().decode(f[0]);
            int r = Integer.parseInt(f[1]);
            if (r != byRank.size()) throw new IllegalStateException("r50k ranks are not dense at " + r);
            byRank.add(tok);
            ranks.put(new String(tok, StandardCharsets.ISO_8859_1), r);
        }
        char[] alpha = gpt2Alphabet();
        StringBuilder vocab = new StringBuilder("{");
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int r = 0; r < byRank.size(); r++) {
            byte[] tok = byRank.get(r);
            if (r > 0) vocab.append(',');
            vocab.append(jsonString(spell(tok, alpha))).append(':').append(r);
            if (tok.length < 2) continue;
            List<String> parts = new ArrayList<>();
            for (byte b : tok) parts.add(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
            while (true) {
                int best = -1, bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer pr = ranks.get(parts.get(i) + parts.get(i + 1));
                    if (pr != null && pr < r && pr < bestRank) {
                        bestRank = pr;
                        best = i;
                    }
                }
                if (best < 0) break;
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            if (parts.size() != 2) throw new IllegalStateException("token of rank " + r + " is not one merge");
            merges.append(spell(parts.get(0).getBytes(StandardCharsets.ISO_8859_1), alpha)).append(' ')
                    .append(spell(parts.get(1).getBytes(StandardCharsets.ISO_8859_1), alpha)).append('\n');
        }
        vocab.append(",\"<|endoftext|>\":50256}");
        Files.writeString(dir.resolve("vocab.json"), vocab, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
    }

    private static String spell(byte[] b, char[] alpha) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(alpha[x & 0xFF]);
        return sb.toString();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    /**
     * A varied text: prose with contractions, code, numbers, whitespace runs, every Unicode space
     * that Java's ASCII {@code \s} misses, line separators, CJK, combining marks and emoji.
     */
    static String variedText() {
        return """
                Don't panic: it's the river's bank, isn't it? They'll say we've seen 'em; I'd, I'm, you're.
                DON'T SHOUT, IT'S LOUD. O'Brien's "quotes" and `ticks` and 'single' ones.
                def f(x):\n    return x ** 2 + 3.14159  # comment\n\n\n\tindented\ttabs\r\nwindows line
                for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // 12345678901234567890
                Numbers: 1, 22, 333, 4444, 55555, 3.5e-10, -42, 1,000,000 and ١٢٣ and ⅷ.
                Spaces:      five before, then trailing   \s
                NBSP:\u00a0here\u00a0\u00a0twice; ideographic:\u3000\u3000x; narrow:\u202fy; thin:\u2009z; en:\u2002w
                line sep:\u2028para sep:\u2029next-line:\u0085ogham:\u1680vt:\u000bff:\u000cfs:\u001cus:\u001f!
                Ünïcödé: naïve café, Straße, Ελληνικά, русский текст, עברית, العربية, हिन्दी, 日本語のテキスト, 한국어.
                Combining: e\u0301 a\u0308 n\u0303; emoji: 👍🏽 👨‍👩‍👧 🇩🇪 ❤️; math: ∑∫√∞ ≤≥ ≠.
                Long s 'ſ and Kelvin 'K; CAPS'LL 'VE 'RE 'M 'D.
                <|endoftext|> is a special token's text; <|fim_prefix|> too.
                End with spaces and newlines   \n\n   \n
                """;
    }
}
