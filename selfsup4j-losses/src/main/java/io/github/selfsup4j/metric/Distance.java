package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;

/**
 * A pairwise distance or similarity between embeddings, shared by the metric losses and the
 * miners (PML's {@code BaseDistance}).
 *
 * <p>A similarity is "inverted" (PML's {@code is_inverted}): larger means closer. Losses and
 * miners never compare raw values directly; they go through {@link #margin} and {@link
 * #closest}, or mine on {@link #orientedMatrix}, in which smaller always means closer.
 */
public interface Distance {

    /** The name in the JSON interface ({@code euclidean}, {@code cosine}). */
    String name();

    /** Whether this is a similarity (larger = closer) rather than a distance. */
    boolean isInverted();

    /**
     * The N×N matrix of values between the rows of {@code x}, differentiable.
     *
     * @param x embeddings (N×D), floating
     * @return the N×N matrix, entry (i, j) = value(x_i, x_j)
     */
    NDArray matrix(NDArray x);

    /**
     * PML's {@code margin(x, y)}: by how much x is farther than y: {@code x − y} for a distance,
     * {@code y − x} for a similarity.
     */
    default NDArray margin(NDArray x, NDArray y) {
        return isInverted() ? y.sub(x) : x.sub(y);
    }

    /** The closer of two values, element-wise (PML's {@code smallest_dist}). */
    default NDArray closest(NDArray a, NDArray b) {
        return isInverted() ? a.maximum(b) : a.minimum(b);
    }

    /**
     * The detached matrix of {@code x} in plain doubles, row-major, oriented so that smaller means
     * closer (a similarity is negated). Miners work on this.
     */
    default double[] orientedMatrix(NDArray x) {
        NDArray m = matrix(x.stopGradient());
        double[] v = orient(m);
        m.close();
        return v;
    }

    /**
     * A matrix computed by {@link #matrix} as detached plain doubles, oriented so that smaller
     * means closer.
     */
    default double[] orient(NDArray matrix) {
        double[] v = matrix.stopGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .toDoubleArray();
        if (isInverted()) {
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i];
            }
        }
        return v;
    }

    /**
     * A distance by its JSON name.
     *
     * @param owner the loss or miner, for messages
     * @param name {@code euclidean} or {@code cosine}
     * @param normalize whether the Euclidean distance L2-normalises the embeddings first (cosine
     *     always does)
     * @return the distance
     */
    static Distance parse(String owner, String name, boolean normalize) {
        if (EuclideanDistance.NAME.equals(name)) {
            return new EuclideanDistance(normalize);
        }
        if (CosineSimilarity.NAME.equals(name)) {
            return new CosineSimilarity();
        }
        throw new IllegalArgumentException(owner + ": distance must be \""
                + EuclideanDistance.NAME + "\" or \"" + CosineSimilarity.NAME + "\", got \""
                + name + "\"");
    }
}
