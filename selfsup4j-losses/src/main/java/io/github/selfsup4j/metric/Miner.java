package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.numerics.Ops;

/**
 * Turns a labelled batch into index tuples (PML's miners). Miners are deterministic and work on
 * detached values: no gradient flows through the choice of tuples.
 *
 * <p>Every miner rejects what {@link LabeledBatch#check} rejects (a batch with one class, one
 * without positives, NaN embeddings, labels of another length).
 */
public interface Miner {

    /** The name in the JSON interface. */
    String name();

    /** The distance the miner compares with. */
    Distance distance();

    /**
     * Mines a batch.
     *
     * @param embeddings N×D floating embeddings (used detached)
     * @param labels N integer labels
     * @return the tuples, in the miner's own form (triplets or pairs)
     */
    default MinedTuples mine(NDArray embeddings, NDArray labels) {
        long[] y = LabeledBatch.check(name(), embeddings, labels, true);
        return mine(oriented(embeddings), y);
    }

    /**
     * Mines from a precomputed matrix.
     *
     * @param oriented the N×N matrix, row-major, oriented so that smaller means closer (see {@link
     *     Distance#orientedMatrix})
     * @param labels the N labels
     * @return the tuples
     */
    MinedTuples mine(double[] oriented, long[] labels);

    /** The mined tuples as triplets (pairs are combined per anchor). */
    default Triplets mineTriplets(double[] oriented, long[] labels) {
        return mine(oriented, labels).triplets();
    }

    /** The mined tuples as pairs (a triplet gives one positive and one negative pair). */
    default Pairs minePairs(double[] oriented, long[] labels) {
        return mine(oriented, labels).pairs();
    }

    /** {@link #mineTriplets(double[], long[])} on a checked batch. */
    default Triplets mineTriplets(NDArray embeddings, NDArray labels) {
        long[] y = LabeledBatch.check(name(), embeddings, labels, true);
        return mineTriplets(oriented(embeddings), y);
    }

    /** {@link #minePairs(double[], long[])} on a checked batch. */
    default Pairs minePairs(NDArray embeddings, NDArray labels) {
        long[] y = LabeledBatch.check(name(), embeddings, labels, true);
        return minePairs(oriented(embeddings), y);
    }

    /** The oriented matrix, computed in float32 at least (as the losses compute). */
    private double[] oriented(NDArray embeddings) {
        return distance().orientedMatrix(Ops.promote(embeddings, Ops.computeType(embeddings)));
    }
}
