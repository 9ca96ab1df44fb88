package dev.vecgrad.train.run;

/** Another process holds a run directory's lock: two trainers must never write one checkpoint. */
public final class RunInUseException extends IllegalStateException {
    /**
     * The run directory {@code dir} is locked by another process.
     *
     * @param dir the directory, named in the message
     */
    public RunInUseException(String dir) {
        super(dir + " is in use by another training run (its .lock is held)");
    }
}
