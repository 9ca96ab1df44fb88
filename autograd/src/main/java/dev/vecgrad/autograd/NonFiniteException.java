package dev.vecgrad.autograd;

/**
 * Thrown under {@link Anomaly#detect()} by the first op whose forward result or backward gradient
 * holds NaN or infinity.
 */
public final class NonFiniteException extends ArithmeticException {
    /** The op's name (serialised with the exception). */
    private final String op;
    /** {@code "forward"} or {@code "backward"} (serialised with the exception). */
    private final String pass;

    NonFiniteException(String op, String pass, String detail) {
        super("anomaly: the " + pass + " of '" + op + "' produced a non-finite value: " + detail);
        this.op = op;
        this.pass = pass;
    }

    /** {@return the op's name, as {@link Tensor#gradFn()} reports it} */
    public String op() {
        return op;
    }

    /** {@return {@code "forward"} or {@code "backward"}: which computation produced the value} */
    public String pass() {
        return pass;
    }
}
