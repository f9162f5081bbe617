package io.github.selfsup4j.augment;

import io.github.selfsup4j.data.Images;
import io.github.selfsup4j.data.Sampler;
import io.github.selfsup4j.data.ShuffleSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The batches of views of every epoch: a {@link Sampler} picks the images, a {@link ViewRecipe}
 * makes their views, on background threads ahead of the training step.
 *
 * <p>The views of global batch b of epoch e come from one random stream seeded by (seed, e, b),
 * drawn image by image in the global batch's order: a batch depends only on the seed and its
 * coordinates, not on which thread made it or when, so a resumed run sees exactly the batches an
 * uninterrupted one would; and each rank draws the whole global batch's stream and keeps its own
 * rows, so N ranks see exactly the views one process with the global batch sees (augmentation
 * costs a small fraction of a step, so the repeated draws are cheap).
 */
public final class ViewBatches {

    private final Images data;
    private final Sampler sampler;
    private final ViewRecipe recipe;
    private final long seed;
    private final int threads;
    private final int prefetch;

    /**
     * Creates the source.
     *
     * @param data the images (no labels)
     * @param sampler which images form each batch on this rank
     * @param recipe how images become views
     * @param seed the run's seed
     * @param threads background threads
     * @param prefetch batches made ahead
     */
    public ViewBatches(Images data, Sampler sampler, ViewRecipe recipe, long seed, int threads,
            int prefetch) {
        if (threads < 1) {
            throw new IllegalArgumentException("--augment-threads must be >= 1, got " + threads);
        }
        this.data = data;
        this.sampler = sampler;
        this.recipe = recipe;
        this.seed = seed;
        this.threads = threads;
        this.prefetch = Math.max(1, prefetch);
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        return sampler.batchesPerEpoch();
    }

    /** The sampler. */
    public Sampler sampler() {
        return sampler;
    }

    /** Starts making the batches of {@code epoch} from {@code firstBatch} on. */
    public Epoch open(int epoch, int firstBatch) {
        return new Epoch(epoch, firstBatch);
    }

    /** Makes batch {@code b} of {@code epoch} directly (as the background threads do). */
    public ViewBatch make(int epoch, int b) {
        int[] global = sampler.globalBatch(epoch, b);
        int mine = sampler.batchSize();
        int from = sampler.rankOffset();
        int hw = data.imageSize();
        int pairs = recipe.pairs();
        List<Augmenter> slots = recipe.slots();
        float[][] out = new float[slots.size()][mine * pairs * hw];
        float[] scratch = new float[hw];
        SplittableRandom rng = new SplittableRandom(ShuffleSampler.mix(seed, epoch, b));
        for (int s = 0; s < global.length; s++) {
            boolean kept = s >= from && s < from + mine;
            for (int p = 0; p < pairs; p++) {
                for (int v = 0; v < slots.size(); v++) {
                    float[] dst = kept ? out[v] : scratch;
                    int offset = kept ? ((s - from) * pairs + p) * hw : 0;
                    slots.get(v).view(data.pixels(), global[s] * hw, data.height(), data.width(),
                            rng, dst, offset);
                }
            }
        }
        List<ViewBatch.View> views = new ArrayList<>();
        for (float[] o : out) {
            views.add(new ViewBatch.View(o, data.height(), data.width()));
        }
        int[] images = java.util.Arrays.copyOfRange(global, from, from + mine);
        return new ViewBatch(b, images, pairs, views);
    }

    /** The batches of one epoch, made ahead on background threads. */
    public final class Epoch implements AutoCloseable {
        private final int epoch;
        private final int batches;
        private final ExecutorService pool;
        private final BlockingQueue<Future<ViewBatch>> ahead;
        private int submitted;

        private Epoch(int epoch, int firstBatch) {
            this.epoch = epoch;
            this.batches = sampler.batchesPerEpoch();
            this.pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "views");
                t.setDaemon(true);
                return t;
            });
            this.ahead = new ArrayBlockingQueue<>(prefetch);
            this.submitted = Math.max(0, firstBatch);
            while (submitted < batches && ahead.remainingCapacity() > 0) {
                submitNext();
            }
        }

        /** Whether another batch is coming. */
        public boolean hasNext() {
            return !ahead.isEmpty();
        }

        /** The next batch, waiting for it if needed. */
        public ViewBatch next() {
            try {
                ViewBatch b = ahead.take().get();
                if (submitted < batches) {
                    submitNext();
                }
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("making a batch of views failed", e.getCause());
            }
        }

        private void submitNext() {
            int b = submitted++;
            ahead.add(pool.submit(() -> make(epoch, b)));
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
}
