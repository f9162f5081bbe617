package io.github.selfsup4j.data;

/**
 * A data file that cannot be read: missing, truncated, or not what its name says. The message
 * names the file and what is wrong, and is meant to be shown to the user as it is.
 */
public final class DataFormatError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the error with a complete message. */
    public DataFormatError(String message) {
        super(message);
    }

    /** Creates the error with a complete message and its cause. */
    public DataFormatError(String message, Throwable cause) {
        super(message, cause);
    }
}
