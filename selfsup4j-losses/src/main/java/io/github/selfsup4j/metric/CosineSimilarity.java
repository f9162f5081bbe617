package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.numerics.Ops;

/**
 * Cosine similarity, PML's {@code CosineSimilarity}: the dot product of L2-normalised embeddings
 * (normalised with PyTorch's epsilon, so a zero row has similarity 0 to everything). A
 * similarity: larger means closer ({@link #isInverted()} is true).
 */
public final class CosineSimilarity implements Distance {

    /** The name in the JSON interface. */
    public static final String NAME = "cosine";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isInverted() {
        return true;
    }

    @Override
    public NDArray matrix(NDArray x) {
        NDArray z = Ops.l2Normalize(x);
        return z.matMul(z.transpose());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosineSimilarity;
    }

    @Override
    public int hashCode() {
        return 7;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
