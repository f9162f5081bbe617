package io.github.selfsup4j.loss.classic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.numerics.Checks;

/** Validation and one-hot encoding of class-index targets, shared by NLL and cross-entropy. */
final class ClassTargets {

    private ClassTargets() {}

    /** Checks {@code target} against {@code scores} (N×C) and returns its N×C one-hot form. */
    static NDArray oneHot(String owner, NDArray scores, NDArray target) {
        Checks.integer(owner, "target", target, 1);
        Checks.rows(owner, "target", target, "the scores", scores.getShape().get(0));
        long c = scores.getShape().get(1);
        Checks.values(owner, "target", target, 0, c - 1);
        return target.toType(DataType.INT64, false).oneHot((int) c);
    }
}
