package dev.vecgrad.train.run;

/**
 * A training setting out of range. {@link #field()} names the setting as {@link TrainConfig}
 * and {@code state.json} spell it ({@code nLayer}, {@code lr}, {@code evalIters}, ...), and the
 * message starts with that name, so a front end can say it in its own terms (the command line
 * maps {@code nLayer} to {@code --n-layer}).
 */
public final class InvalidConfigException extends IllegalArgumentException {
    /** The setting at fault (serialised with the exception). */
    private final String field;
    /** The message without the field's name (serialised with the exception). */
    private final String problem;

    /**
     * A problem with one setting; the message reads {@code "field problem"}.
     *
     * @param field the setting, e.g. {@code lr}
     * @param problem continues the sentence after the field's name, e.g. {@code must be positive, got 0}
     */
    public InvalidConfigException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** {@return the message without the field's name, e.g. {@code must be positive, got 0}} */
    public String problem() {
        return problem;
    }

    /** {@return the setting at fault, as TrainConfig's builder and {@code state.json} name it} */
    public String field() {
        return field;
    }

    static void positive(String field, int v) {
        if (v <= 0) throw new InvalidConfigException(field, "must be positive, got " + v);
    }

    static void nonNegative(String field, int v) {
        if (v < 0) throw new InvalidConfigException(field, "must be >= 0, got " + v);
    }

    static void fraction(String field, float v) {
        if (!(v >= 0 && v < 1)) throw new InvalidConfigException(field, "must be in [0, 1), got " + v);
    }
}
