package dev.vecgrad.train.tokenizer;

/**
 * A model (its weights file, or a directory that holds one) given where tokenizer files were
 * expected. A model's tokenizer, when it has one, is read with the model, so the message ends by
 * saying how; a program with its own way of loading models (the command line's flags) can say it
 * instead, from {@link #source()} and {@link #problem()}.
 */
public final class ModelNotTokenizerException extends TokenizerFormatException {
    /** How a library user reads a model with its tokenizer. */
    static final String LOAD_THE_MODEL = "a model's tokenizer is loaded with the model (ModelCheckpoint.load)";

    /** The path given. */
    private final String source;
    /** What was found there, without the advice. */
    private final String problem;

    /**
     * A model found where tokenizer files were expected.
     *
     * @param source the path given
     * @param problem what was found there, without the advice
     */
    public ModelNotTokenizerException(String source, String problem) {
        super(source, problem + "; " + LOAD_THE_MODEL);
        this.source = source;
        this.problem = problem;
    }

    /** {@return the path given} */
    public String source() {
        return source;
    }

    /** {@return what was found there, without the advice on loading the model} */
    public String problem() {
        return problem;
    }
}
