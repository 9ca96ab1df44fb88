package dev.vecgrad.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test reference: BPE training that recounts all pairs after every merge (minbpe's loop). */
final class NaiveTrainer {
    private NaiveTrainer() {}

    static int[][] merges(String text, SplitPattern pattern, int count) {
        List<List<Integer>> chunks = new ArrayList<>();
        pattern.split(text, 0, text.length(), (t, s, e) -> {
            List<Integer> ids = new ArrayList<>();
            for (byte b : t.subSequence(s, e).toString().getBytes(StandardCharsets.UTF_8)) ids.add(b & 0xFF);
            chunks.add(ids);
        });
        int[][] out = new int[count][];
        for (int m = 0; m < count; m++) {
            Map<Long, Long> counts = new HashMap<>();
            for (List<Integer> c : chunks) {
                for (int i = 0; i + 1 < c.size(); i++) counts.merge(((long) c.get(i) << 32) | c.get(i + 1), 1L, Long::sum);
            }
            long bestKey = -1, bestCount = 0;
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                long k = e.getKey(), v = e.getValue();
                if (v > bestCount || (v == bestCount && k < bestKey)) { // smaller (a, b) wins ties
                    bestCount = v;
                    bestKey = k;
                }
            }
            int a = (int) (bestKey >>> 32), b = (int) bestKey, id = 256 + m;
            out[m] = new int[] {a, b};
            for (List<Integer> c : chunks) {
                for (int i = 0; i + 1 < c.size(); i++) {
                    if (c.get(i) == a && c.get(i + 1) == b) {
                        c.set(i, id);
                        c.remove(i + 1);
                    }
                }
            }
        }
        return out;
    }
}
