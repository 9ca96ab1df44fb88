package dev.vecgrad.examples.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** How far apart two names are, for the "did you mean ...?" of a mistyped config key, run name or option value. */
final class Spelling {
    private Spelling() {}

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * The names a mistyped {@code name} probably meant, closest first, at most three: those one
     * edit away (two for names of 6 characters or more), or that start with it.
     */
    static List<String> closeNames(String name, List<String> names) {
        int limit = name.length() >= 6 ? 2 : 1;
        record Near(String name, int distance) {}
        List<Near> near = new ArrayList<>();
        for (String n : names) {
            int d = distance(name, n);
            if (d <= limit || (name.length() >= 2 && n.startsWith(name))) near.add(new Near(n, d));
        }
        near.sort(Comparator.comparingInt(Near::distance).thenComparing(Near::name));
        return near.stream().limit(3).map(Near::name).toList();
    }
}
