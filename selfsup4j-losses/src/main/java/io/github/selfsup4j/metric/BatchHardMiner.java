package io.github.selfsup4j.metric;

import java.util.Arrays;

/**
 * Batch-hard mining (Hermans, Beyer and Leibe 2017, "In Defense of the Triplet Loss for Person
 * Re-Identification"; PML's {@code BatchHardMiner}): for each anchor, in index order, the
 * farthest positive and the nearest negative form one triplet. Anchors without a positive or
 * without a negative are skipped. Ties go to the lowest index (as {@code torch.max/min} on CPU).
 */
public final class BatchHardMiner implements Miner {

    /** The name in the JSON interface. */
    public static final String NAME = "batch-hard";

    private final Distance distance;

    /**
     * A batch-hard miner.
     *
     * @param distance the distance to compare with
     */
    public BatchHardMiner(Distance distance) {
        this.distance = distance;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Distance distance() {
        return distance;
    }

    @Override
    public Triplets mine(double[] d, long[] labels) {
        int n = labels.length;
        int[] a = new int[n];
        int[] p = new int[n];
        int[] neg = new int[n];
        int t = 0;
        for (int i = 0; i < n; i++) {
            int far = -1;
            int near = -1;
            for (int j = 0; j < n; j++) {
                double v = d[i * n + j];
                if (labels[j] == labels[i]) {
                    if (j != i && (far < 0 || v > d[i * n + far])) {
                        far = j;
                    }
                } else if (near < 0 || v < d[i * n + near]) {
                    near = j;
                }
            }
            if (far >= 0 && near >= 0) {
                a[t] = i;
                p[t] = far;
                neg[t++] = near;
            }
        }
        return new Triplets(Arrays.copyOf(a, t), Arrays.copyOf(p, t), Arrays.copyOf(neg, t));
    }
}
