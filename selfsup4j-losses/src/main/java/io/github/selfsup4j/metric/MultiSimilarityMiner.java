package io.github.selfsup4j.metric;

import io.github.selfsup4j.numerics.Checks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pair mining of Wang et al. 2019 ("Multi-Similarity Loss with General Pair Weighting for
 * Deep Metric Learning"), as PML's {@code MultiSimilarityMiner}. For anchor i, with similarities
 * s (the default distance is cosine similarity):
 *
 * <ul>
 *   <li>a negative pair (i, n) is kept when \(s_{in} + \epsilon > \min_{p} s_{ip}\);
 *   <li>a positive pair (i, p) is kept when \(s_{ip} - \epsilon < \max_{n} s_{in}\).
 * </ul>
 *
 * <p>For a distance d the inequalities flip (\(d_{in} - \epsilon < \max_p d_{ip}\), \(d_{ip} +
 * \epsilon > \min_n d_{in}\)). An anchor without positives keeps no negative pair and one without
 * negatives keeps no positive pair. Pairs come by anchor, then in ascending order of the raw value
 * (PML sorts each row), ties by index. Default ε 0.1.
 */
public final class MultiSimilarityMiner implements Miner {

    /** The name in the JSON interface. */
    public static final String NAME = "multi-similarity";

    /** PML's default epsilon. */
    public static final double DEFAULT_EPSILON = 0.1;

    private final Distance distance;
    private final double epsilon;

    /**
     * A multi-similarity miner.
     *
     * @param distance the distance to compare with (PML's default: cosine similarity)
     * @param epsilon the slack ε ≥ 0
     */
    public MultiSimilarityMiner(Distance distance, double epsilon) {
        this.distance = distance;
        this.epsilon = Checks.nonNegative(NAME, "epsilon", epsilon);
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
    public Pairs mine(double[] d, long[] labels) {
        int n = labels.length;
        // raw values order the output; d is oriented (smaller = closer)
        double sign = distance.isInverted() ? -1 : 1;
        List<int[]> pos = new ArrayList<>();
        List<int[]> neg = new ArrayList<>();
        List<Integer> row = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double maxPos = Double.NEGATIVE_INFINITY;
            double minNeg = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                if (labels[j] == labels[i]) {
                    maxPos = Math.max(maxPos, d[i * n + j]);
                } else {
                    minNeg = Math.min(minNeg, d[i * n + j]);
                }
            }
            final int r = i;
            Comparator<Integer> byRaw = Comparator.<Integer>comparingDouble(
                    j -> sign * d[r * n + j]).thenComparingInt(j -> j);
            row.clear();
            for (int j = 0; j < n; j++) {
                if (j != i && labels[j] == labels[i] && d[i * n + j] + epsilon > minNeg) {
                    row.add(j);
                }
            }
            row.sort(byRaw);
            for (int j : row) {
                pos.add(new int[] {i, j});
            }
            row.clear();
            for (int j = 0; j < n; j++) {
                if (labels[j] != labels[i] && d[i * n + j] - epsilon < maxPos) {
                    row.add(j);
                }
            }
            row.sort(byRaw);
            for (int j : row) {
                neg.add(new int[] {i, j});
            }
        }
        return new Pairs(column(pos, 0), column(pos, 1), column(neg, 0), column(neg, 1));
    }

    private static int[] column(List<int[]> pairs, int c) {
        int[] v = new int[pairs.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = pairs.get(i)[c];
        }
        return v;
    }
}
