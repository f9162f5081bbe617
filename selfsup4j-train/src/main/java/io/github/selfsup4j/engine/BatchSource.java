package io.github.selfsup4j.engine;

/**
 * The batches of every epoch: a sampler (which images, in which order, on which rank) and a view
 * recipe (how each image becomes the job's input). Batch {@code b} of epoch {@code e} must depend
 * only on the seed and {@code (e, b)}, so a resumed run sees the batches an uninterrupted one
 * would.
 *
 * @param <B> the batch type
 */
public interface BatchSource<B> {

    /** Batches per epoch (the same on every rank). */
    int batchesPerEpoch();

    /**
     * Starts producing the batches of one epoch.
     *
     * @param epoch the epoch (0-based)
     * @param firstBatch the first batch to produce (a resumed epoch skips those already trained)
     * @return the batches, in order
     */
    Epoch<B> open(int epoch, int firstBatch);

    /** The batches of one epoch, possibly made ahead on background threads. */
    interface Epoch<B> extends AutoCloseable {
        /** Whether another batch is coming. */
        boolean hasNext();

        /** The next batch (waits for it if needed). */
        B next();

        @Override
        void close();
    }
}
