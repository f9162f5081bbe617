package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.numerics.Ops;

/**
 * How per-tuple losses become one number (PML's reducers). The losses reduced here are ≥ 0
 * (hinges), so the mean over positive entries is their sum over the count of positive entries;
 * that count is read from the detached values, so the gradient is the same as PML's masking.
 */
public enum Reduction {
    /** The mean over all mined tuples (PML's {@code MeanReducer}). */
    MEAN("mean"),
    /** The mean over tuples with a positive loss (PML's {@code AvgNonZeroReducer}). */
    MEAN_NONZERO("mean-nonzero");

    private final String jsonName;

    Reduction(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name in the JSON interface. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * Reduces non-negative per-tuple losses.
     *
     * @param losses the losses (1-D, ≥ 0), or null when no tuple was mined
     * @param zero a scalar zero attached to the inputs' graph, returned when there is nothing to
     *     average (PML's {@code zero_loss}: the gradient is zero, not missing)
     * @return the scalar loss
     */
    public NDArray reduce(NDArray losses, NDArray zero) {
        if (losses == null || losses.size() == 0) {
            return zero;
        }
        if (this == MEAN) {
            return losses.mean();
        }
        long positive = losses.stopGradient().gt(0).sum().toType(
                ai.djl.ndarray.types.DataType.INT64, false).getLong();
        return positive == 0 ? zero : Ops.divide(losses.sum(), positive);
    }

    /** A reduction by its JSON name. */
    public static Reduction parse(String owner, String name) {
        for (Reduction r : values()) {
            if (r.jsonName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException(owner + ": reduction must be \"mean\" or"
                + " \"mean-nonzero\", got \"" + name + "\"");
    }
}
