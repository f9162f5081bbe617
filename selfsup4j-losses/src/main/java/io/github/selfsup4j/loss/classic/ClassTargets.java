package io.github.selfsup4j.loss.classic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.numerics.Checks;

/**
 * Validation of class-index targets and the pick of each row's target score, shared by NLL and
 * cross-entropy.
 */
final class ClassTargets {

    private ClassTargets() {}

    /** Checks {@code target} (N) against {@code scores} (N×C) and returns it as an N×1 index. */
    static NDArray index(String owner, NDArray scores, NDArray target) {
        Checks.integer(owner, "target", target, 1);
        Checks.rows(owner, "target", target, "the scores", scores.getShape().get(0));
        long c = scores.getShape().get(1);
        Checks.values(owner, "target", target, 0, c - 1);
        return target.toType(DataType.INT64, false).expandDims(1);
    }

    /**
     * {@code scores[n, index[n]]} (N), with its graph. A gather, not a product with a one-hot
     * mask: a score of −∞ (or −1e300 cast to float32) outside the target would give −∞·0 = NaN
     * there, in the value and in the gradient.
     */
    static NDArray pick(NDArray scores, NDArray index) {
        return scores.gather(index, 1).squeeze(1);
    }
}
