package dev.vecgrad.train.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class StopStringsTest {
    /** Feeds {@code pieces} one by one; returns what was passed on and how many pieces were accepted. */
    private static String run(List<String> stops, List<String> pieces, int[] accepted) {
        StringBuilder out = new StringBuilder();
        StopStrings s = new StopStrings(stops, out::append);
        for (String p : pieces) {
            accepted[0]++;
            if (!s.accept(p)) break;
        }
        s.finish();
        return out.toString();
    }

    @Test
    void endsBeforeTheStopStringEvenWhenItArrivesInPieces() {
        int[] n = {0};
        assertEquals("ROMEO: hi", run(List.of("\n\n"), List.of("ROMEO", ": hi", "\n", "\n", "JULIET"), n));
        assertEquals(4, n[0]);
    }

    @Test
    void textThatOnlyLooksLikeAStartIsPrintedLater() {
        List<String> seen = new ArrayList<>();
        StopStrings s = new StopStrings(List.of("END"), seen::add);
        assertTrue(s.accept("abcE"));
        assertEquals(List.of("abc"), seen);   // 'E' could begin "END": held back
        assertTrue(s.accept("Nx"));
        assertEquals(List.of("abc", "ENx"), seen);
        s.finish();
        assertFalse(s.stopped());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        int[] n = {0};
        assertEquals("a", run(List.of("c", "b"), List.of("abc"), n));
    }

    @Test
    void emptyStopStringsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StopStrings(List.of(""), x -> {}));
    }

    /** Whatever the split into pieces, the output is the text up to the first stop string. */
    @Property(tries = 300)
    void outputIsThePrefixBeforeTheFirstStop(@ForAll @AlphaChars @StringLength(max = 40) String text,
                                             @ForAll @AlphaChars @StringLength(min = 1, max = 3) String stop,
                                             @ForAll("cuts") List<Integer> cuts) {
        List<String> pieces = new ArrayList<>();
        int from = 0;
        for (int c : cuts) {
            int to = Math.min(text.length(), from + c);
            pieces.add(text.substring(from, to));
            from = to;
        }
        pieces.add(text.substring(from));
        int i = text.indexOf(stop);
        assertEquals(i < 0 ? text : text.substring(0, i), run(List.of(stop), pieces, new int[1]));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<List<Integer>> cuts() {
        return net.jqwik.api.Arbitraries.integers().between(0, 5).list().ofMaxSize(12);
    }
}
