package io.github.selfsup4j.data;

/**
 * Which images form each batch of an epoch, on each rank. Seeded: batch {@code b} of epoch
 * {@code e} depends only on the seed and {@code (e, b)}. Rank-aware: every rank calls with its
 * own rank and gets its part of the same global batch.
 */
public interface Sampler {

    /** Images per batch on one rank. */
    int batchSize();

    /** Batches per epoch (the same on every rank). */
    int batchesPerEpoch();

    /**
     * The image indices of this rank's part of global batch {@code b} of epoch {@code epoch}.
     *
     * @param epoch the epoch
     * @param b the batch
     * @return {@link #batchSize()} image indices
     */
    int[] batch(int epoch, int b);

    /**
     * The image indices of the whole global batch (every rank's part, in rank order); this
     * rank's part starts at {@link #rankOffset()}.
     */
    int[] globalBatch(int epoch, int b);

    /** Where this rank's part starts in {@link #globalBatch}. */
    int rankOffset();
}
