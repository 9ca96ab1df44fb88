package dev.vecgrad.train.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids) without boxing. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = v;
    }

    void addAll(int[] v) {
        addAll(v, v.length);
    }

    void addAll(int[] v, int len) {
        if (n + len > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
        System.arraycopy(v, 0, a, n, len);
        n += len;
    }

    int size() {
        return n;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
