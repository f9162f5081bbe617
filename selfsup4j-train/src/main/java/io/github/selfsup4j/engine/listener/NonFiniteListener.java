package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;

/**
 * Repeats a step whose gradients were not finite while the loss was, once. PyTorch 2.7.1's CPU
 * convolution backward with 8 channels can read memory it did not write (NaN gradients when that
 * memory held NaN); recomputing the step is cheaper than losing the run. A non-finite loss is not
 * repeated: the same batch would give the same loss.
 */
public final class NonFiniteListener implements TrainingListener {

    private final int retries;
    private int repeated;

    /** Repeats a step with non-finite gradients up to {@code retries} times. */
    public NonFiniteListener(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        }
        this.retries = retries;
    }

    /** Steps repeated so far in this process. */
    public int repeated() {
        return repeated;
    }

    @Override
    public boolean onNonFinite(TrainingState state, StepContext ctx, NonFiniteException e,
            int attempt) {
        if (e.what().endsWith("gradients") && attempt < retries) {
            repeated++;
            return true;
        }
        return false;
    }
}
