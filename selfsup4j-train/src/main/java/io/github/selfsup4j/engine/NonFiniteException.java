package io.github.selfsup4j.engine;

/**
 * A step's loss or gradients were not finite. Thrown by a job before it changed any state, so
 * the step can be repeated or the run stopped with its last good state saved.
 */
public final class NonFiniteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String what;
    private final double value;

    /**
     * Creates the exception.
     *
     * @param what what was not finite ("loss", "gradients", "discriminator loss", ...)
     * @param value the offending value (a loss, or the sum of the gradients)
     */
    public NonFiniteException(String what, double value) {
        super("the " + what + " became " + value);
        this.what = what;
        this.value = value;
    }

    /** What was not finite. */
    public String what() {
        return what;
    }

    /** The offending value. */
    public double value() {
        return value;
    }
}
