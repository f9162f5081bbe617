package io.github.selfsup4j.augment;

import io.github.selfsup4j.data.ImageDataset;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The batches of views of one epoch, produced ahead of time on background threads.
 *
 * <p>The order of the images in epoch e is a shuffle seeded by (seed, e); the views of batch b by
 * (seed, e, b). A batch therefore depends only on the seed and its coordinates, not on which
 * thread made it or when, so a resumed run sees exactly the batches an uninterrupted one would.
 * Each batch holds {@code 2·P} views per image: view A of pair p of image s at row {@code s·P +
 * p} of {@link Batch#viewA()}, and its partner at the same row of {@link Batch#viewB()}.
 */
public final class ViewBatches implements AutoCloseable {

    /** One batch of views: two arrays of {@code n·P × H × W} normalised pixels. */
    public record Batch(int index, int images, float[] viewA, float[] viewB) {}

    private final ImageDataset data;
    private final Augmenter augmenter;
    private final int batchSize;
    private final int pairs;
    private final long seed;
    private final int epoch;
    private final int[] order;
    private final int batches;
    private final ExecutorService pool;
    private final BlockingQueue<Future<Batch>> ahead;
    private int submitted;

    /**
     * Starts producing the batches of one epoch (the last partial batch is dropped, as the
     * contrastive losses want full batches).
     *
     * @param data the images
     * @param augmenter the augmentation
     * @param batchSize images per batch
     * @param pairs view pairs per image (P)
     * @param seed the run's seed
     * @param epoch the epoch
     * @param threads background threads
     * @param prefetch batches prepared ahead
     * @param firstBatch the batch to start from (a resumed epoch skips those already trained)
     */
    public ViewBatches(ImageDataset data, Augmenter augmenter, int batchSize, int pairs, long seed,
            int epoch, int threads, int prefetch, int firstBatch) {
        if (batchSize > data.size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the "
                    + data.size() + " images");
        }
        this.data = data;
        this.augmenter = augmenter;
        this.batchSize = batchSize;
        this.pairs = pairs;
        this.seed = seed;
        this.epoch = epoch;
        this.order = shuffle(data.size(), mix(seed, epoch, -1));
        this.batches = data.size() / batchSize;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "views");
            t.setDaemon(true);
            return t;
        });
        this.ahead = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.submitted = Math.max(0, firstBatch);
        while (submitted < batches && ahead.remainingCapacity() > 0) {
            submitNext();
        }
    }

    /** The number of batches in the epoch. */
    public int size() {
        return batches;
    }

    /** Whether another batch is coming. */
    public boolean hasNext() {
        return !ahead.isEmpty();
    }

    /** The next batch, waiting for it if needed. */
    public Batch next() {
        try {
            Batch b = ahead.take().get();
            if (submitted < batches) {
                submitNext();
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("making a batch of views failed", e.getCause());
        }
    }

    /** Makes batch {@code b} of {@code epoch} directly (the same as the background threads do). */
    public Batch make(int b) {
        int hw = data.imageSize();
        int rows = batchSize * pairs;
        float[] a = new float[rows * hw];
        float[] bb = new float[rows * hw];
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, b));
        for (int s = 0; s < batchSize; s++) {
            int img = order[b * batchSize + s];
            for (int p = 0; p < pairs; p++) {
                int row = s * pairs + p;
                augmenter.view(data.pixels(), img * hw, data.height(), data.width(), rng, a,
                        row * hw);
                augmenter.view(data.pixels(), img * hw, data.height(), data.width(), rng, bb,
                        row * hw);
            }
        }
        return new Batch(b, batchSize, a, bb);
    }

    private void submitNext() {
        int b = submitted++;
        ahead.add(pool.submit(() -> make(b)));
    }

    /** A seeded Fisher–Yates shuffle of 0..n-1. */
    static int[] shuffle(int n, long seed) {
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
    static long mix(long seed, int epoch, int batch) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
