package dev.vecgrad.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE tokenizer (the algorithm of minbpe's {@code RegexTokenizer}): cut the
 * text into chunks with a {@link SplitPattern}, count each distinct chunk once with its
 * frequency, start from the 256 single bytes (ids 0..255 are the byte values) and repeatedly
 * merge the most frequent adjacent pair into a new token (ids 256, 257, ... in merge order).
 *
 * <p>Speed: after the first count, a merge only updates the pair counts of the chunks that
 * contain the merged pair (each pair remembers the chunks it occurs in), and the most frequent
 * pair comes from a priority queue whose stale entries are refreshed when they surface. Cost per
 * merge is proportional to the chunks it touches, not to the corpus.
 *
 * <p>Determinism: ties in count go to the pair with the smaller first id, then the smaller second
 * id (so older tokens, and bytes before merged tokens, win). Chunk counting may run on several
 * threads; counts are exact integers, so the merges, and the written file, are the same for every
 * thread count. Registered special-token strings in the training text are cut out before
 * counting, so no merge spans them.
 */
public final class BpeTrainer {
    /** Reports progress after each merge (the command line draws a progress bar with it). */
    @FunctionalInterface
    public interface Progress {
        /**
         * Called after each merge.
         *
         * @param done the merges made so far
         * @param total the merges training aims for
         */
        void merged(int done, int total);
    }

    private BpeTrainer() {}

    /** Pair statistics: total weighted count and the chunks it may occur in. */
    private static final class Stat {
        final int a, b;
        long count;
        int[] where = new int[4];
        int nWhere;

        Stat(int a, int b) {
            this.a = a;
            this.b = b;
        }

        void addWord(int w) {
            if (nWhere > 0 && where[nWhere - 1] == w) return;
            if (nWhere == where.length) where = Arrays.copyOf(where, nWhere * 2);
            where[nWhere++] = w;
        }
    }

    private record Entry(long count, int a, int b) {}

    /**
     * Trains a tokenizer.
     *
     * @param text training text
     * @param vocabSize the vocabulary size including the 256 bytes and the special tokens; training
     *     stops earlier when no pair is left to merge
     * @param pattern pre-tokenization pattern (null: the whole text is one chunk)
     * @param specials special tokens, given ids after the merged tokens in this order
     * @param threads threads for chunk counting
     * @param progress called after each merge, or null
     * @return the tokenizer
     * @throws IllegalArgumentException when the vocabulary is smaller than the bytes plus the special
     *     tokens, or a special token is empty or repeated
     */
    public static BpeTokenizer train(CharSequence text, int vocabSize, SplitPattern pattern, List<String> specials,
            int threads, Progress progress) {
        int target = vocabSize - 256 - specials.size();
        if (target < 0) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is smaller than the 256 bytes plus "
                    + specials.size() + " special tokens");
        }
        for (String s : specials) {
            if (s.isEmpty()) throw new IllegalArgumentException("a special token is empty");
        }
        if (specials.stream().distinct().count() != specials.size()) {
            throw new IllegalArgumentException("special tokens repeat: " + specials);
        }
        Map<String, Long> chunkCounts = countChunks(text, pattern, specials, threads);

        // words in sorted chunk order: a fixed order independent of threads and hashing
        String[] keys = chunkCounts.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        int[][] words = new int[keys.length][];
        long[] freq = new long[keys.length];
        int nw = 0;
        for (String k : keys) {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            if (b.length < 2) continue; // no pairs
            int[] w = new int[b.length];
            for (int i = 0; i < b.length; i++) w[i] = b[i] & 0xFF;
            words[nw] = w;
            freq[nw] = chunkCounts.get(k);
            nw++;
        }

        HashMap<Long, Stat> stats = new HashMap<>();
        for (int w = 0; w < nw; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) {
                Stat st = stats.computeIfAbsent(PairTable.key(s[i], s[i + 1]), k -> new Stat(
                        (int) (k >>> 32), (int) (long) k));
                st.count += freq[w];
                st.addWord(w);
            }
        }
        PriorityQueue<Entry> heap = new PriorityQueue<>((x, y) -> {
            int c = Long.compare(y.count, x.count);
            if (c != 0) return c;
            c = Integer.compare(x.a, y.a);
            return c != 0 ? c : Integer.compare(x.b, y.b);
        });
        for (Stat st : stats.values()) heap.add(new Entry(st.count, st.a, st.b));

        List<byte[]> tokens = new ArrayList<>(vocabSize);
        for (int b = 0; b < 256; b++) tokens.add(new byte[] {(byte) b});
        List<int[]> merges = new ArrayList<>(target);
        int[] mark = new int[nw];
        Arrays.fill(mark, -1);
        int[] buf = new int[16];
        List<Stat> touched = new ArrayList<>();

        while (merges.size() < target && !heap.isEmpty()) {
            Entry e = heap.poll();
            Stat st = stats.get(PairTable.key(e.a, e.b));
            if (st == null || st.count <= 0) continue;
            if (st.count != e.count) { // stale: counts only fall for existing pairs
                heap.add(new Entry(st.count, st.a, st.b));
                continue;
            }
            int a = st.a, b = st.b, c = tokens.size();
            int step = merges.size();
            merges.add(new int[] {a, b});
            tokens.add(BpeTokenizer.concat(tokens.get(a), tokens.get(b)));
            touched.clear();

            int[] where = st.where;
            int nWhere = st.nWhere;
            for (int wi = 0; wi < nWhere; wi++) {
                int w = where[wi];
                if (mark[w] == step) continue;
                mark[w] = step;
                int[] s = words[w];
                if (!containsPair(s, a, b)) continue;
                long f = freq[w];
                for (int i = 0; i + 1 < s.length; i++) stats.get(PairTable.key(s[i], s[i + 1])).count -= f;
                if (buf.length < s.length) buf = new int[s.length * 2];
                int n = 0;
                for (int i = 0; i < s.length; i++) {
                    if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                        buf[n++] = c;
                        i++;
                    } else {
                        buf[n++] = s[i];
                    }
                }
                int[] ns = Arrays.copyOf(buf, n);
                words[w] = ns;
                for (int i = 0; i + 1 < n; i++) {
                    long k = PairTable.key(ns[i], ns[i + 1]);
                    Stat x = stats.get(k);
                    if (x == null) {
                        x = new Stat(ns[i], ns[i + 1]);
                        stats.put(k, x);
                    }
                    x.count += f;
                    if (ns[i] == c || ns[i + 1] == c) {
                        if (x.nWhere == 0) touched.add(x);
                        x.addWord(w);
                    }
                }
            }
            stats.remove(PairTable.key(a, b));
            for (Stat x : touched) if (x.count > 0) heap.add(new Entry(x.count, x.a, x.b));
            if (progress != null) progress.merged(merges.size(), target);
        }

        byte[][] t = tokens.toArray(new byte[0][]);
        Map<String, Integer> sp = new LinkedHashMap<>();
        for (String s : specials) sp.put(s, t.length + sp.size());
        return BpeTokenizer.fromMerges(t, merges.toArray(new int[0][]), sp, pattern, false);
    }

    private static boolean containsPair(int[] s, int a, int b) {
        for (int i = 0; i + 1 < s.length; i++) if (s[i] == a && s[i + 1] == b) return true;
        return false;
    }

    /** Distinct chunks and how often each occurs, counted on up to {@code threads} threads. */
    static Map<String, Long> countChunks(CharSequence text, SplitPattern pattern, List<String> specials, int threads) {
        Pattern sp = null;
        if (!specials.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            specials.stream().sorted((x, y) -> y.length() - x.length()).forEach(s -> {
                if (!sb.isEmpty()) sb.append('|');
                sb.append(Pattern.quote(s));
            });
            sp = Pattern.compile(sb.toString());
        }
        boolean splittable = pattern != null && specials.stream().noneMatch(s -> s.indexOf('\n') >= 0);
        int[] bounds = splittable ? pattern.segmentBounds(text, Math.max(1, threads) * 4) : new int[] {0, text.length()};
        Pattern specialsPattern = sp;
        if (threads <= 1 || bounds.length <= 2) return countSegment(text, 0, text.length(), pattern, specialsPattern);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "bpe-count");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<Map<String, Long>>> parts = new ArrayList<>();
            for (int s = 0; s + 1 < bounds.length; s++) {
                int from = bounds[s], to = bounds[s + 1];
                parts.add(pool.submit(() -> countSegment(text, from, to, pattern, specialsPattern)));
            }
            Map<String, Long> all = new HashMap<>();
            for (Future<Map<String, Long>> f : parts) f.get().forEach((k, v) -> all.merge(k, v, Long::sum));
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting chunks", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("counting chunks failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Long> countSegment(CharSequence text, int from, int to, SplitPattern pattern,
            Pattern specials) {
        Map<String, Long> counts = new HashMap<>();
        SplitPattern.ChunkSink sink = (t, s, e) -> counts.merge(t.subSequence(s, e).toString(), 1L, Long::sum);
        int pos = from;
        if (specials != null) {
            Matcher m = specials.matcher(text);
            m.region(from, to);
            while (m.find()) {
                chunks(text, pos, m.start(), pattern, sink);
                pos = m.end();
            }
        }
        chunks(text, pos, to, pattern, sink);
        return counts;
    }

    private static void chunks(CharSequence text, int from, int to, SplitPattern pattern, SplitPattern.ChunkSink sink) {
        if (from >= to) return;
        if (pattern == null) sink.chunk(text, from, to);
        else pattern.split(text, from, to, sink);
    }
}
