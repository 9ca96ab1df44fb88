package dev.vecgrad.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE (GPT-2's scheme): text is cut into chunks by a {@link SplitPattern}, each chunk's
 * UTF-8 bytes start as one token per byte, and adjacent pairs are merged by rank (the pair with
 * the lowest rank first, the leftmost on ties) until no pair has a merge. Decoding concatenates
 * the tokens' bytes, so it is exact for any byte sequence; invalid UTF-8 becomes U+FFFD per
 * {@link Utf8#decodeReplace}.
 *
 * <p>Two merge rules exist in the ecosystem and both are kept exact:
 * <ul>
 *   <li>merge lists (Hugging Face {@code tokenizer.json}, GPT-2's {@code merges.txt}, vecgrad's
 *       trainer): only listed pairs merge, with the rank of their line;</li>
 *   <li>tiktoken ranks ({@code .tiktoken}): any two adjacent parts whose concatenation is a
 *       token merge, with that token's rank, and a chunk that is a token as a whole is that
 *       token ({@link #ignoreMerges()}, which {@code tokenizer.json} calls {@code ignore_merges}).</li>
 * </ul>
 *
 * <p>Instances are immutable apart from a cache of encoded chunks and safe to share between
 * threads.
 */
public final class BpeTokenizer implements Tokenizer {
    /** The tag in stored JSON. */
    public static final String TYPE = "bpe";

    private static final int CACHE_LIMIT = 1 << 17;
    private static final int NO_RANK = Integer.MAX_VALUE;

    private final byte[][] tokens; // id -> bytes; null for ids that are special tokens or unused
    private final Map<String, Integer> idOfBytes; // bytes as a Latin-1 string -> id
    private final int[] byteIds = new int[256];
    private final int[][] merges; // rank order, {left, right}
    private final PairTable pairs;
    private final Map<String, Integer> specials; // insertion order kept
    private final String[] specialOfId;
    private final SplitPattern pattern; // null: the whole text is one chunk
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private volatile Pattern specialRegex;
    private volatile String json;
    private volatile String hash;

    private BpeTokenizer(byte[][] tokens, int[][] merges, PairTable pairs, Map<String, Integer> specials,
            SplitPattern pattern, boolean ignoreMerges) {
        this.tokens = tokens;
        this.merges = merges;
        this.pairs = pairs;
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specials));
        this.pattern = pattern;
        this.ignoreMerges = ignoreMerges;
        this.idOfBytes = new HashMap<>(tokens.length * 2);
        Arrays.fill(byteIds, -1);
        int vocab = tokens.length;
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) continue;
            Integer prev = idOfBytes.putIfAbsent(latin1(tokens[id]), id);
            if (prev != null) {
                throw new IllegalArgumentException("tokens " + prev + " and " + id + " have the same bytes "
                        + display(tokens[id]));
            }
            if (tokens[id].length == 1) byteIds[tokens[id][0] & 0xFF] = id;
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new IllegalArgumentException(String.format("byte 0x%02X has no token; a byte-level vocabulary "
                        + "needs all 256 single bytes", b));
            }
        }
        for (Map.Entry<String, Integer> e : specials.entrySet()) vocab = Math.max(vocab, e.getValue() + 1);
        this.specialOfId = new String[vocab];
        for (Map.Entry<String, Integer> e : specials.entrySet()) {
            int id = e.getValue();
            if (e.getKey().isEmpty()) throw new IllegalArgumentException("special token with id " + id + " is empty");
            if (id < 0) throw new IllegalArgumentException("special token '" + e.getKey() + "' has negative id " + id);
            if (id < tokens.length && tokens[id] != null) {
                throw new IllegalArgumentException("special token '" + e.getKey() + "' has id " + id
                        + ", which is already the token " + display(tokens[id]));
            }
            if (specialOfId[id] != null) {
                throw new IllegalArgumentException("special tokens '" + specialOfId[id] + "' and '" + e.getKey()
                        + "' share id " + id);
            }
            specialOfId[id] = e.getKey();
        }
    }

    /**
     * A tokenizer from a merge list (Hugging Face / GPT-2 rule).
     *
     * @param tokens the bytes of every ordinary token, by id ({@code null} for ids held by special
     *     tokens or unused); all 256 single bytes must be present
     * @param merges pairs of ids in rank order; each pair's concatenated bytes must be a token
     * @param specials special tokens and their ids
     * @param pattern the pre-tokenization pattern, or null for none
     * @param ignoreMerges when true a chunk that is a token as a whole becomes that token
     * @return the tokenizer
     * @throws IllegalArgumentException naming the first inconsistency
     */
    public static BpeTokenizer fromMerges(byte[][] tokens, int[][] merges, Map<String, Integer> specials,
            SplitPattern pattern, boolean ignoreMerges) {
        byte[][] t = tokens.clone();
        Map<String, Integer> ids = new HashMap<>(t.length * 2);
        for (int id = 0; id < t.length; id++) if (t[id] != null) ids.putIfAbsent(latin1(t[id]), id);
        PairTable table = new PairTable(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            int a = merges[rank][0], b = merges[rank][1];
            if (a < 0 || a >= t.length || b < 0 || b >= t.length || t[a] == null || t[b] == null) {
                throw new IllegalArgumentException("merge " + rank + " (" + a + ", " + b + ") refers to an id that is "
                        + "not an ordinary token");
            }
            byte[] joined = concat(t[a], t[b]);
            Integer r = ids.get(latin1(joined));
            if (r == null) {
                throw new IllegalArgumentException("merge " + rank + " " + display(t[a]) + " + " + display(t[b])
                        + " gives " + display(joined) + ", which is not in the vocabulary");
            }
            table.putIfAbsent(a, b, rank, r); // a repeated merge keeps its first (lowest) rank, as HF does
        }
        int[][] m = new int[merges.length][];
        for (int i = 0; i < m.length; i++) m[i] = new int[] {merges[i][0], merges[i][1]};
        return new BpeTokenizer(t, m, table, specials, pattern, ignoreMerges);
    }

    /**
     * A tokenizer from tiktoken ranks: {@code tokens[rank]} is the token of that rank (its id).
     * Every split of a token into two tokens becomes a merge with the token's rank, and a chunk
     * that is a token as a whole is that token, exactly as tiktoken encodes. A merge list (for
     * writing {@code tokenizer.json}) is recovered from the ranks.
     *
     * @param tokens the bytes of every token, by rank; all 256 single bytes must be present
     * @param specials special tokens and their ids
     * @param pattern the pre-tokenization pattern, or null for none
     * @return the tokenizer
     * @throws IllegalArgumentException naming the first inconsistency
     */
    public static BpeTokenizer fromRanks(byte[][] tokens, Map<String, Integer> specials, SplitPattern pattern) {
        byte[][] t = tokens.clone();
        Map<String, Integer> ids = new HashMap<>(t.length * 2);
        long splits = 0;
        for (int id = 0; id < t.length; id++) {
            if (t[id] == null) continue;
            ids.putIfAbsent(latin1(t[id]), id);
            splits += t[id].length - 1;
        }
        PairTable table = new PairTable((int) Math.min(Integer.MAX_VALUE / 4, Math.max(16, splits)));
        for (int id = 0; id < t.length; id++) {
            byte[] tok = t[id];
            if (tok == null || tok.length < 2) continue;
            String s = latin1(tok);
            for (int k = 1; k < tok.length; k++) {
                Integer a = ids.get(s.substring(0, k));
                Integer b = a == null ? null : ids.get(s.substring(k));
                if (b != null) table.putIfAbsent(a, b, id, id);
            }
        }
        BpeTokenizer partial = new BpeTokenizer(t, new int[0][], table, specials, pattern, true);
        return new BpeTokenizer(t, partial.recoverMerges(), table, specials, pattern, true);
    }

    /**
     * The merge that builds each multi-byte token under tiktoken's rule: encode the token's bytes
     * with merges of lower rank only; the two parts left are its merge (minbpe's recovery).
     * Tokens that do not come out as two parts (unreachable by merging) get no merge.
     */
    private int[][] recoverMerges() {
        List<int[]> out = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            byte[] tok = tokens[id];
            if (tok == null || tok.length < 2) continue;
            int[] parts = mergeBytes(tok, 0, tok.length, id);
            if (parts.length == 2) out.add(parts);
        }
        return out.toArray(new int[0][]);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Bytes for messages: the UTF-8 text in quotes when it is valid, else hex. */
    static String display(byte[] b) {
        String s = Utf8.decodeReplace(b);
        if (s.indexOf('\uFFFD') < 0) return "'" + s.replace("\n", "\\n") + "'";
        return "0x" + java.util.HexFormat.of().formatHex(b);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int vocabSize() {
        return specialOfId.length;
    }

    /** {@return the number of merges in the merge list} */
    public int mergeCount() {
        return merges.length;
    }

    /** {@return the merge list in rank order, as {@code {left id, right id}} pairs (a copy)} */
    public int[][] merges() {
        int[][] m = new int[merges.length][];
        for (int i = 0; i < m.length; i++) m[i] = merges[i].clone();
        return m;
    }

    /**
     * The bytes of a token.
     *
     * @param id a token id
     * @return a copy of its bytes, or null when {@code id} is a special token
     * @throws IllegalArgumentException when {@code id} is not a token of this vocabulary
     */
    public byte[] tokenBytes(int id) {
        checkId(id, 0);
        byte[] b = id < tokens.length ? tokens[id] : null;
        return b == null ? null : b.clone();
    }

    /**
     * The id of a token's bytes.
     *
     * @param bytes the bytes
     * @return the id, or -1 when no ordinary token has them
     */
    public int idOfBytes(byte[] bytes) {
        Integer id = idOfBytes.get(latin1(bytes));
        return id == null ? -1 : id;
    }

    /** {@return the pre-tokenization pattern, or null when the whole text is one chunk} */
    public SplitPattern pattern() {
        return pattern;
    }

    /**
     * {@return whether a chunk that is a token as a whole becomes that token without merging (tiktoken's rule)}
     */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public int[] encode(CharSequence text) {
        IntList out = new IntList(text.length() / 3 + 16);
        encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    @Override
    public int[] encode(CharSequence text, Set<String> allowedSpecial) {
        if (allowedSpecial == null || allowedSpecial.isEmpty()) return encode(text);
        for (String s : allowedSpecial) {
            if (!specials.containsKey(s)) {
                throw new IllegalArgumentException("'" + s + "' is not a special token of this tokenizer (it has "
                        + specials.keySet() + ")");
            }
        }
        Pattern p = specialPattern(allowedSpecial);
        IntList out = new IntList(text.length() / 3 + 16);
        Matcher m = p.matcher(text);
        int pos = 0;
        while (m.find()) {
            encodeOrdinary(text, pos, m.start(), out);
            out.add(specials.get(m.group()));
            pos = m.end();
        }
        encodeOrdinary(text, pos, text.length(), out);
        return out.toArray();
    }

    private Pattern specialPattern(Set<String> allowed) {
        Pattern p = specialRegex;
        if (p != null && allowed.equals(specials.keySet())) return p;
        List<String> list = new ArrayList<>(allowed);
        // longest first, so a special token that is a prefix of another does not win
        list.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        StringBuilder sb = new StringBuilder();
        for (String s : list) {
            if (!sb.isEmpty()) sb.append('|');
            sb.append(Pattern.quote(s));
        }
        p = Pattern.compile(sb.toString());
        if (allowed.equals(specials.keySet())) specialRegex = p;
        return p;
    }

    /**
     * Token ids of {@code text} (specials as ordinary text), encoded on several threads. The text is
     * cut only where the built-in patterns always cut, so the ids equal {@link #encode(CharSequence)}'s.
     *
     * @param text the text
     * @param threads how many threads to use (1 encodes on the calling thread)
     * @return the ids, in order
     */
    public int[] encodeParallel(CharSequence text, int threads) {
        int[] bounds = pattern == null ? new int[] {0, text.length()} : pattern.segmentBounds(text, threads * 4);
        if (threads <= 1 || bounds.length <= 2) return encode(text);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bpe-encode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<int[]>> parts = new ArrayList<>();
            for (int s = 0; s + 1 < bounds.length; s++) {
                int from = bounds[s], to = bounds[s + 1];
                parts.add(pool.submit(() -> {
                    IntList out = new IntList((to - from) / 3 + 16);
                    encodeOrdinary(text, from, to, out);
                    return out.toArray();
                }));
            }
            IntList all = new IntList(text.length() / 3 + 16);
            for (Future<int[]> f : parts) all.addAll(f.get());
            return all.toArray();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("encoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void encodeOrdinary(CharSequence text, int from, int to, IntList out) {
        if (from >= to) return;
        if (pattern == null) {
            encodeChunk(text, from, to, out);
        } else {
            pattern.split(text, from, to, (t, s, e) -> encodeChunk(t, s, e, out));
        }
    }

    private void encodeChunk(CharSequence text, int start, int end, IntList out) {
        if (end - start == 1) {
            char c = text.charAt(start);
            if (c < 0x80) {
                out.add(byteIds[c]);
                return;
            }
        }
        String key = text.subSequence(start, end).toString();
        int[] ids = cache.get(key);
        if (ids == null) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            ids = encodeBytes(bytes);
            if (cache.size() < CACHE_LIMIT) cache.put(key, ids);
        }
        out.addAll(ids);
    }

    /** Empties the cache of encoded chunks (benchmarks use it to time first-time encoding). */
    public void clearCache() {
        cache.clear();
    }

    /**
     * Token ids of raw bytes taken as one chunk (no pre-tokenization, no special tokens).
     *
     * @param bytes the bytes
     * @return the ids
     */
    public int[] encodeBytes(byte[] bytes) {
        if (bytes.length == 0) return new int[0];
        if (bytes.length == 1) return new int[] {byteIds[bytes[0] & 0xFF]};
        if (ignoreMerges) {
            Integer whole = idOfBytes.get(latin1(bytes));
            if (whole != null) return new int[] {whole};
        }
        return mergeBytes(bytes, 0, bytes.length, NO_RANK);
    }

    /**
     * Merges the bytes {@code b[from, to)}: repeatedly the lowest-rank pair (leftmost on ties)
     * with rank below {@code maxRank}. Quadratic in the chunk length, which is short (a word).
     */
    private int[] mergeBytes(byte[] b, int from, int to, int maxRank) {
        int n = to - from;
        return n > LONG_CHUNK ? mergeLong(b, from, to, maxRank) : mergeShort(b, from, to, maxRank);
    }

    private int[] mergeShort(byte[] b, int from, int to, int maxRank) {
        int n = to - from;
        int[] ids = new int[n];
        int[] rank = new int[n]; // rank[i]: the merge of (ids[i], ids[i+1]); NO_RANK when none
        int[] slot = new int[n];
        for (int i = 0; i < n; i++) ids[i] = byteIds[b[from + i] & 0xFF];
        for (int i = 0; i + 1 < n; i++) lookup(ids, rank, slot, i, maxRank);
        while (n > 1) {
            int best = -1, bestRank = NO_RANK;
            for (int i = 0; i + 1 < n; i++) {
                if (rank[i] < bestRank) {
                    bestRank = rank[i];
                    best = i;
                }
            }
            if (best < 0) break;
            ids[best] = pairs.resultAt(slot[best]);
            int tail = n - best - 2; // elements after the merged pair
            System.arraycopy(ids, best + 2, ids, best + 1, tail);
            System.arraycopy(rank, best + 2, rank, best + 1, tail);
            System.arraycopy(slot, best + 2, slot, best + 1, tail);
            n--;
            if (best + 1 < n) lookup(ids, rank, slot, best, maxRank);
            else rank[best] = NO_RANK;
            if (best > 0) lookup(ids, rank, slot, best - 1, maxRank);
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /** Both merge loops, for tests: {@code heap} selects the one for long chunks. */
    int[] mergeWith(byte[] b, boolean heap) {
        return heap ? mergeLong(b, 0, b.length, NO_RANK) : mergeShort(b, 0, b.length, NO_RANK);
    }

    /** Chunks longer than this merge with a heap (n log n) instead of rescans (n squared). */
    private static final int LONG_CHUNK = 96;

    /**
     * The same merges as the rescanning loop for long chunks (a run of 10,000 spaces, a file
     * without pre-tokenization): a linked list of parts and a min-heap of (rank, position), where
     * position order makes the leftmost pair win ties; entries whose pair changed are skipped.
     */
    private int[] mergeLong(byte[] b, int from, int to, int maxRank) {
        int n = to - from;
        if (n == 0) return new int[0];
        int[] ids = new int[n], next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteIds[b[from + i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) pushPair(heap, ids, i, i + 1, maxRank);
        boolean[] dead = new boolean[n];
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32), i = (int) top;
            int j = next[i];
            if (dead[i] || j < 0) continue;
            int s = pairs.find(ids[i], ids[j]);
            if (s < 0 || pairs.rankAt(s) != rank) continue; // the pair at i changed since it was pushed
            ids[i] = pairs.resultAt(s);
            dead[j] = true;
            next[i] = next[j];
            if (next[j] >= 0) prev[next[j]] = i;
            alive--;
            if (prev[i] >= 0) pushPair(heap, ids, prev[i], i, maxRank);
            if (next[i] >= 0) pushPair(heap, ids, i, next[i], maxRank);
        }
        int[] out = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) out[k++] = ids[i];
        return out;
    }

    private void pushPair(LongHeap heap, int[] ids, int i, int j, int maxRank) {
        int s = pairs.find(ids[i], ids[j]);
        if (s >= 0 && pairs.rankAt(s) < maxRank) heap.push(((long) pairs.rankAt(s) << 32) | i);
    }

    /** A min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return n == 0;
        }

        void push(long v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && a[c + 1] < a[c]) c++;
                if (a[c] >= v) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }

    private void lookup(int[] ids, int[] rank, int[] slot, int i, int maxRank) {
        int s = pairs.find(ids[i], ids[i + 1]);
        if (s >= 0 && pairs.rankAt(s) < maxRank) {
            rank[i] = pairs.rankAt(s);
            slot[i] = s;
        } else {
            rank[i] = NO_RANK;
        }
    }

    /**
     * The bytes of {@code ids} concatenated; special tokens contribute their UTF-8 text.
     *
     * @param ids token ids
     * @return the bytes (possibly not valid UTF-8 when a character was cut)
     * @throws IllegalArgumentException naming the first id that is not a token
     */
    public byte[] decodeBytes(int[] ids) {
        int len = 0;
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            len += bytesOf(ids[i]).length;
        }
        byte[] out = new byte[len];
        int p = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }

    private byte[] bytesOf(int id) {
        byte[] b = id < tokens.length ? tokens[id] : null;
        return b != null ? b : specialOfId[id].getBytes(StandardCharsets.UTF_8);
    }

    private void checkId(int id, int position) {
        if (id < 0 || id >= specialOfId.length || ((id >= tokens.length || tokens[id] == null) && specialOfId[id] == null)) {
            throw new IllegalArgumentException("tokenizer: id " + id + " at position " + position
                    + " is not a token of this vocabulary of " + specialOfId.length);
        }
    }

    @Override
    public String decode(int[] ids) {
        return Utf8.decodeReplace(decodeBytes(ids));
    }

    @Override
    public String piece(int id) {
        return Utf8.decodeEscaped(bytes(id));
    }

    @Override
    public byte[] bytes(int id) {
        return decodeBytes(new int[] {id});
    }

    @Override
    public String toJson() {
        String j = json;
        if (j == null) json = j = TokenizerJson.checkpointJson(this);
        return j;
    }

    @Override
    public String hash() {
        String h = hash;
        if (h == null) hash = h = Tokenizer.super.hash(); // SHA-256 of a large JSON: computed once
        return h;
    }

    @Override
    public String describe() {
        return String.format("byte-level BPE, %,d tokens (%,d merges%s), %s pattern", vocabSize(), merges.length,
                specials.isEmpty() ? "" : ", special " + specials.keySet(),
                pattern == null ? "no" : pattern.name());
    }
}
