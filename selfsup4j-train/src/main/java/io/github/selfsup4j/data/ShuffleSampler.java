package io.github.selfsup4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Every image once per epoch in a seeded random order; global batches of {@code world ×
 * batchSize} images, of which each rank takes its own consecutive slice (disjoint, together the
 * whole epoch, as PyTorch's {@code DistributedSampler} with {@code drop_last}). The last partial
 * global batch is dropped: the contrastive losses want full batches.
 */
public final class ShuffleSampler implements Sampler {

    private final int size;
    private final int batchSize;
    private final int rank;
    private final int world;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] order;

    /**
     * Creates the sampler.
     *
     * @param size images in the data set
     * @param batchSize images per batch on one rank
     * @param rank this rank
     * @param world the number of ranks
     * @param seed the run's seed
     */
    public ShuffleSampler(int size, int batchSize, int rank, int world, long seed) {
        if (batchSize < 1 || world < 1 || rank < 0 || rank >= world) {
            throw new IllegalArgumentException("shuffle sampler: batch size " + batchSize
                    + ", rank " + rank + " of " + world);
        }
        if ((long) batchSize * world > size) {
            throw new IllegalArgumentException("--batch-size " + batchSize + (world > 1 ? " × "
                    + world + " processes" : "") + " is larger than the " + size
                    + " training images");
        }
        this.size = size;
        this.batchSize = batchSize;
        this.rank = rank;
        this.world = world;
        this.seed = seed;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int batchesPerEpoch() {
        return size / (batchSize * world);
    }

    @Override
    public synchronized int[] globalBatch(int epoch, int b) {
        if (epoch != cachedEpoch) {
            order = shuffle(size, mix(seed, epoch, -1));
            cachedEpoch = epoch;
        }
        int g = batchSize * world;
        return Arrays.copyOfRange(order, b * g, (b + 1) * g);
    }

    @Override
    public int rankOffset() {
        return rank * batchSize;
    }

    @Override
    public int[] batch(int epoch, int b) {
        int[] all = globalBatch(epoch, b);
        return Arrays.copyOfRange(all, rankOffset(), rankOffset() + batchSize);
    }

    /** A seeded Fisher–Yates shuffle of 0..n-1. */
    public static int[] shuffle(int n, long seed) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** A seed for (run seed, epoch, batch), well mixed. */
    public static long mix(long seed, int epoch, int batch) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL
                + batch * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
