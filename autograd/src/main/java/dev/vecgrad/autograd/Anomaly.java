package dev.vecgrad.autograd;

/**
 * Anomaly detection, like {@code torch.autograd.detect_anomaly()}: while a scope is open on a
 * thread, every recorded op checks its result for NaN and infinity, and the backward pass checks
 * every gradient it computes. The first op whose output is not finite although its inputs were
 * throws a {@link NonFiniteException} naming the op, the pass (forward or backward) and the
 * shapes:
 *
 * <pre>{@code
 * try (var a = Anomaly.detect()) {
 *     Tensor loss = model.loss(model.forward(idx, b, t), targets);
 *     loss.backward();
 * }
 * }</pre>
 *
 * <p>Every op's output is scanned, so a step is slower; it is a debugging tool. The flag is
 * thread-local, as {@link Grad}'s is: ops run on the thread that opened the scope.
 */
public final class Anomaly implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ON = ThreadLocal.withInitial(() -> new boolean[] {false});

    private final boolean previous;

    private Anomaly(boolean on) {
        boolean[] flag = ON.get();
        previous = flag[0];
        flag[0] = on;
    }

    /**
     * Turns detection on for this thread until the returned scope is closed. Scopes nest.
     *
     * @return the scope; close it (try-with-resources) to restore the previous state
     */
    public static Anomaly detect() {
        return new Anomaly(true);
    }

    /**
     * Turns detection off inside the backward pass, whose own ops (run without recording) would
     * otherwise be reported under their internal names; the engine checks each op's gradients.
     */
    static Anomaly suspended() {
        return new Anomaly(false);
    }

    /** {@return whether detection is on for this thread} */
    public static boolean isEnabled() {
        return ON.get()[0];
    }

    /** Restores the state from before this scope was opened. */
    @Override
    public void close() {
        ON.get()[0] = previous;
    }

    /** Checks a forward result; called by the engine for every recorded op when detection is on. */
    static void checkForward(String op, Tensor out, Tensor[] inputs) {
        String bad = firstNonFinite(out);
        if (bad == null) return;
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            String inBad = in == null ? null : firstNonFinite(in);
            if (inBad != null) {
                // Not this op's doing: a recorded producer would have been caught already, so the
                // input came from outside the graph (a parameter or data that already held it).
                throw new NonFiniteException(op, "forward", "input " + k + " " + Shapes.str(in.shape) + " already holds "
                        + inBad + " (it was not produced by a checked op: a parameter, data or a tensor made outside"
                        + " the detection scope); inputs " + shapes(inputs));
            }
        }
        throw new NonFiniteException(op, "forward", "output " + Shapes.str(out.shape) + " holds " + bad
                + " although its inputs " + shapes(inputs) + " are finite");
    }

    /** Checks the gradients one op's backward produced from a finite output gradient. */
    static void checkBackward(String op, Tensor gradOut, Tensor[] inputs, Tensor[] inGrads) {
        for (int k = 0; k < inGrads.length; k++) {
            if (inGrads[k] == null) continue;
            String bad = firstNonFinite(inGrads[k]);
            if (bad == null) continue;
            String upstream = firstNonFinite(gradOut);
            String why = upstream != null ? "the incoming gradient " + Shapes.str(gradOut.shape) + " already holds " + upstream
                    : "from a finite incoming gradient " + Shapes.str(gradOut.shape);
            throw new NonFiniteException(op, "backward", "gradient for input " + k + " " + Shapes.str(inGrads[k].shape)
                    + " holds " + bad + ", " + why + "; inputs " + shapes(inputs));
        }
    }

    private static String shapes(Tensor[] inputs) {
        StringBuilder s = new StringBuilder();
        for (Tensor in : inputs) {
            if (s.length() > 0) s.append(", ");
            s.append(in == null ? "-" : Shapes.str(in.shape));
        }
        return s.toString();
    }

    /** "NaN", "Infinity" or "-Infinity" with its position, or null when every element is finite. */
    private static String firstNonFinite(Tensor t) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) return v[i] + " (element " + i + " of " + v.length + ")";
        }
        return null;
    }
}
