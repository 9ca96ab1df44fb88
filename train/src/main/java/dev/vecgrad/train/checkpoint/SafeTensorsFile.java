package dev.vecgrad.train.checkpoint;

import java.util.Collections;
import java.util.Map;

/** The contents of a safetensors file: tensors by name (in header order) and string metadata. */
public final class SafeTensorsFile {
    private final String source;
    private final Map<String, SafeTensor> tensors;
    private final Map<String, String> metadata;

    SafeTensorsFile(String source, Map<String, SafeTensor> tensors, Map<String, String> metadata) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** {@return where the file came from (used in error messages)} */
    public String source() {
        return source;
    }

    /** {@return all tensors by name, in header order} */
    public Map<String, SafeTensor> tensors() {
        return tensors;
    }

    /** {@return the {@code __metadata__} entries} */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Whether a tensor exists.
     *
     * @param name the tensor's name
     * @return true when the file holds it
     */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor called {@code name}.
     *
     * @param name the tensor's name
     * @return the tensor
     * @throws CheckpointFormatException naming the file and the missing tensor
     */
    public SafeTensor get(String name) throws CheckpointFormatException {
        SafeTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointFormatException(source, "no tensor named '" + name + "' (the file has " + tensors.size()
                    + (tensors.size() <= 8 ? ": " + tensors.keySet() : "") + ")");
        }
        return t;
    }
}
