package io.github.selfsup4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * P classes × K images per batch (Hermans et al. 2017; PML's {@code MPerClassSampler}): what
 * batch-hard mining and SupCon need, since every anchor then has positives. Each batch draws P
 * distinct classes at random, then K distinct images of each (with replacement only if asked,
 * for classes with fewer than K images). An epoch has {@code size / (P·K·world)} batches. Seeded
 * by (seed, epoch, global batch, rank), so each rank draws its own batch.
 */
public final class ClassBalancedSampler implements Sampler {

    private final int[][] byClass;
    private final int classesPerBatch;
    private final int perClass;
    private final boolean replacement;
    private final int batches;
    private final int rank;
    private final int world;
    private final long seed;

    /**
     * Creates the sampler.
     *
     * @param labels the label of every image
     * @param classesPerBatch P
     * @param perClass K
     * @param replacement whether a class with fewer than K images may repeat images
     * @param rank this rank
     * @param world the number of ranks
     * @param seed the run's seed
     */
    public ClassBalancedSampler(int[] labels, int classesPerBatch, int perClass,
            boolean replacement, int rank, int world, long seed) {
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        List<List<Integer>> lists = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            lists.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("class-balanced sampler: label " + labels[i]
                        + " of image " + i + " is negative");
            }
            lists.get(labels[i]).add(i);
        }
        List<int[]> present = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> l = lists.get(c);
            if (l.isEmpty()) {
                continue;
            }
            if (l.size() < perClass && !replacement) {
                throw new IllegalArgumentException("--samples-per-class " + perClass
                        + ": class " + c + " has only " + l.size()
                        + " images (sample with replacement, or lower K)");
            }
            present.add(l.stream().mapToInt(Integer::intValue).toArray());
        }
        if (classesPerBatch < 2 || classesPerBatch > present.size()) {
            throw new IllegalArgumentException("--classes-per-batch must be in [2, "
                    + present.size() + "] (the classes present), got " + classesPerBatch);
        }
        if (perClass < 1) {
            throw new IllegalArgumentException("--samples-per-class must be >= 1, got "
                    + perClass);
        }
        this.byClass = present.toArray(new int[0][]);
        this.classesPerBatch = classesPerBatch;
        this.perClass = perClass;
        this.replacement = replacement;
        this.rank = rank;
        this.world = world;
        this.seed = seed;
        this.batches = labels.length / (classesPerBatch * perClass * world);
        if (batches < 1) {
            throw new IllegalArgumentException("class-balanced sampler: " + labels.length
                    + " images are fewer than one batch of " + classesPerBatch + " × " + perClass
                    + (world > 1 ? " × " + world + " processes" : ""));
        }
    }

    @Override
    public int batchSize() {
        return classesPerBatch * perClass;
    }

    @Override
    public int batchesPerEpoch() {
        return batches;
    }

    @Override
    public int[] batch(int epoch, int b) {
        return draw(epoch, b, rank);
    }

    @Override
    public int[] globalBatch(int epoch, int b) {
        int n = batchSize();
        int[] all = new int[n * world];
        for (int r = 0; r < world; r++) {
            System.arraycopy(draw(epoch, b, r), 0, all, r * n, n);
        }
        return all;
    }

    @Override
    public int rankOffset() {
        return rank * batchSize();
    }

    private int[] draw(int epoch, int b, int r) {
        SplittableRandom rng = new SplittableRandom(ShuffleSampler.mix(seed, epoch,
                b * world + r));
        int[] classes = ShuffleSampler.shuffle(byClass.length, rng.nextLong());
        int[] out = new int[batchSize()];
        int o = 0;
        for (int p = 0; p < classesPerBatch; p++) {
            int[] members = byClass[classes[p]];
            if (members.length >= perClass) {
                int[] pick = ShuffleSampler.shuffle(members.length, rng.nextLong());
                for (int k = 0; k < perClass; k++) {
                    out[o++] = members[pick[k]];
                }
            } else {
                for (int k = 0; k < perClass; k++) {
                    out[o++] = members[rng.nextInt(members.length)];
                }
            }
        }
        return out;
    }

    /** Whether classes with fewer than K images repeat images. */
    public boolean replacement() {
        return replacement;
    }
}
