package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.numerics.Ops;

/**
 * The Euclidean (L2) distance, PML's {@code LpDistance(p=2, power=1)}, optionally on
 * L2-normalised embeddings (PML's default {@code normalize_embeddings=True}).
 *
 * <p>The matrix is \( d_{ij} = \sqrt{\max(\lVert x_i\rVert^2 + \lVert x_j\rVert^2 - 2 x_i^\top
 * x_j,\ 10^{-24})} \): one matrix product, as {@code torch.cdist} does for batches above 25 rows.
 * The clamp keeps the gradient finite on the diagonal and between coincident embeddings (where it
 * is zero, as cdist's); distances below 1e-12 read as 1e-12.
 */
public final class EuclideanDistance implements Distance {

    /** The name in the JSON interface. */
    public static final String NAME = "euclidean";

    private final boolean normalize;

    /**
     * A Euclidean distance.
     *
     * @param normalize whether to L2-normalise the embeddings first
     */
    public EuclideanDistance(boolean normalize) {
        this.normalize = normalize;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isInverted() {
        return false;
    }

    /** Whether embeddings are L2-normalised first. */
    public boolean normalizes() {
        return normalize;
    }

    @Override
    public NDArray matrix(NDArray x) {
        NDArray z = normalize ? Ops.l2Normalize(x) : x;
        NDArray sq = z.square().sum(new int[] {1}, true);
        NDArray gram = z.matMul(z.transpose());
        NDArray d2 = sq.add(sq.transpose()).sub(Ops.scale(gram, 2.0));
        return Ops.atLeast(d2, 1e-24).sqrt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EuclideanDistance e && e.normalize == normalize;
    }

    @Override
    public int hashCode() {
        return normalize ? 1 : 0;
    }

    @Override
    public String toString() {
        return NAME + (normalize ? " (normalised)" : "");
    }
}
