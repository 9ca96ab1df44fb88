package dev.vecgrad.train.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing hash table from an ordered pair of token ids to the merge it triggers: its
 * rank (lower merges first) and the id of the merged token. Primitive arrays, because encoding
 * looks pairs up in its innermost loop.
 */
final class PairTable {
    private static final long EMPTY = -1L; // ids are non-negative, so no real key is -1
    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;
    private int size;

    PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        results = new int[cap];
        mask = cap - 1;
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    private int slot(long k) {
        int i = hash(k) & mask;
        while (keys[i] != EMPTY && keys[i] != k) i = (i + 1) & mask;
        return i;
    }

    /** Adds a pair unless present (the first, lowest-rank entry wins); returns whether added. */
    boolean putIfAbsent(int a, int b, int rank, int result) {
        if (size * 2 >= keys.length) throw new IllegalStateException("pair table full");
        long k = key(a, b);
        int i = slot(k);
        if (keys[i] == k) return false;
        keys[i] = k;
        ranks[i] = rank;
        results[i] = result;
        size++;
        return true;
    }

    /** The slot of a pair, or -1 when there is no such merge. */
    int find(int a, int b) {
        long k = key(a, b);
        int i = hash(k) & mask;
        while (true) {
            long x = keys[i];
            if (x == k) return i;
            if (x == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    int rankAt(int slot) {
        return ranks[slot];
    }

    int resultAt(int slot) {
        return results[slot];
    }

    int size() {
        return size;
    }
}
