package io.github.selfsup4j.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Brute-force references for the metric-learning losses and miners in plain Java doubles, written
 * from the papers and PML's documented semantics: distances from coordinate differences (not the
 * library's matrix product), tuples by enumerating every candidate.
 */
public final class MetricReference {

    private MetricReference() {}

    /** The value between two rows: Euclidean distance or cosine similarity. */
    public static double value(double[] a, double[] b, String distance, boolean normalize) {
        if (distance.equals("cosine")) {
            return Reference.dot(Reference.normalize(a), Reference.normalize(b));
        }
        double[] x = normalize ? Reference.normalize(a) : a;
        double[] y = normalize ? Reference.normalize(b) : b;
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - y[i]) * (x[i] - y[i]);
        }
        return Math.sqrt(s);
    }

    /** The full matrix of {@link #value}. */
    public static double[][] matrix(double[][] x, String distance, boolean normalize) {
        int n = x.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = value(x[i], x[j], distance, normalize);
            }
        }
        return m;
    }

    /** Closeness-oriented value: a distance as is, a similarity negated. */
    static double far(double[][] m, int i, int j, String distance) {
        return distance.equals("cosine") ? -m[i][j] : m[i][j];
    }

    /**
     * Every triplet the named triplet miner keeps, enumerated over all (a, p, n) in index order.
     *
     * @param miner all, hard, semi-hard or batch-hard
     */
    public static List<int[]> triplets(double[][] m, long[] y, String miner, String distance,
            double margin) {
        int n = y.length;
        List<int[]> out = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            double hardestPos = Double.NEGATIVE_INFINITY;
            double hardestNeg = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != a && y[j] == y[a]) {
                    hardestPos = Math.max(hardestPos, far(m, a, j, distance));
                }
                if (y[j] != y[a]) {
                    hardestNeg = Math.min(hardestNeg, far(m, a, j, distance));
                }
            }
            boolean takenBatchHard = false;
            for (int p = 0; p < n; p++) {
                if (p == a || y[p] != y[a]) {
                    continue;
                }
                for (int k = 0; k < n; k++) {
                    if (y[k] == y[a]) {
                        continue;
                    }
                    double dap = far(m, a, p, distance);
                    double dan = far(m, a, k, distance);
                    boolean keep;
                    switch (miner) {
                        case "all":
                            keep = true;
                            break;
                        case "hard":
                            keep = dan <= dap;
                            break;
                        case "semi-hard":
                            keep = dap < dan && dan <= dap + margin;
                            break;
                        case "batch-hard":
                            // the first (lowest-index) hardest positive and negative
                            keep = !takenBatchHard && dap == hardestPos && dan == hardestNeg;
                            takenBatchHard |= keep;
                            break;
                        default:
                            throw new IllegalArgumentException(miner);
                    }
                    if (keep) {
                        out.add(new int[] {a, p, k});
                    }
                }
            }
        }
        return out;
    }

    /**
     * The multi-similarity miner's pairs: {positive pairs, negative pairs}, each sorted by
     * anchor then raw value then index.
     */
    public static List<List<int[]>> multiSimilarityPairs(double[][] m, long[] y, String distance,
            double eps) {
        int n = y.length;
        List<int[]> pos = new ArrayList<>();
        List<int[]> neg = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int j = 0; j < n; j++) {
                if (j == a) {
                    continue;
                }
                boolean positive = y[j] == y[a];
                boolean hard = false;
                for (int k = 0; k < n; k++) {
                    if (k == a || (y[k] == y[a]) == positive) {
                        continue;
                    }
                    // positive j is hard when some negative k is within eps of being closer;
                    // negative j is hard when some positive k is within eps of being farther
                    double fj = far(m, a, j, distance);
                    double fk = far(m, a, k, distance);
                    hard |= positive ? fj + eps > fk : fj - eps < fk;
                }
                if (hard) {
                    (positive ? pos : neg).add(new int[] {a, j});
                }
            }
        }
        Comparator<int[]> order = Comparator.<int[]>comparingInt(p -> p[0])
                .thenComparingDouble(p -> m[p[0]][p[1]]).thenComparingInt(p -> p[1]);
        pos.sort(order);
        neg.sort(order);
        return List.of(pos, neg);
    }

    static double reduce(List<Double> losses, String reduction) {
        double sum = 0;
        int positive = 0;
        for (double l : losses) {
            sum += l;
            positive += l > 0 ? 1 : 0;
        }
        if (reduction.equals("mean")) {
            return losses.isEmpty() ? 0 : sum / losses.size();
        }
        return positive == 0 ? 0 : sum / positive;
    }

    /** PML's TripletMarginLoss with a triplet miner. */
    public static double triplet(double[][] x, long[] y, String miner, String distance,
            boolean normalize, double margin, double minerMargin, boolean swap,
            String reduction) {
        double[][] m = matrix(x, distance, normalize);
        List<Double> losses = new ArrayList<>();
        for (int[] t : triplets(m, y, miner, distance, minerMargin)) {
            double ap = far(m, t[0], t[1], distance);
            double an = far(m, t[0], t[2], distance);
            if (swap) {
                an = Math.min(an, far(m, t[1], t[2], distance));
            }
            losses.add(Math.max(0, ap - an + margin));
        }
        return reduce(losses, reduction);
    }

    /** PML's ContrastiveLoss with all pairs or the multi-similarity miner. */
    public static double contrastive(double[][] x, long[] y, String miner, String distance,
            boolean normalize, double posMargin, double negMargin, double eps,
            String reduction) {
        double[][] m = matrix(x, distance, normalize);
        boolean sim = distance.equals("cosine");
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        List<List<int[]>> pairs = miner.equals("all") ? allPairs(y)
                : multiSimilarityPairs(m, y, distance, eps);
        for (int[] p : pairs.get(0)) {
            double v = m[p[0]][p[1]];
            pos.add(Math.max(0, sim ? posMargin - v : v - posMargin));
        }
        for (int[] p : pairs.get(1)) {
            double v = m[p[0]][p[1]];
            neg.add(Math.max(0, sim ? v - negMargin : negMargin - v));
        }
        return reduce(pos, reduction) + reduce(neg, reduction);
    }

    static List<List<int[]>> allPairs(long[] y) {
        List<int[]> pos = new ArrayList<>();
        List<int[]> neg = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y.length; j++) {
                if (y[i] != y[j]) {
                    neg.add(new int[] {i, j});
                } else if (i != j) {
                    pos.add(new int[] {i, j});
                }
            }
        }
        return List.of(pos, neg);
    }

    /** Khosla et al.'s L_out: mean over anchors with positives. */
    public static double supCon(double[][] x, long[] y, double tau) {
        double[][] z = Reference.normalizeRows(x);
        int n = y.length;
        double total = 0;
        int anchors = 0;
        for (int i = 0; i < n; i++) {
            double denom = 0;
            for (int a = 0; a < n; a++) {
                if (a != i) {
                    denom += Math.exp(Reference.dot(z[i], z[a]) / tau);
                }
            }
            double sum = 0;
            int count = 0;
            for (int p = 0; p < n; p++) {
                if (p != i && y[p] == y[i]) {
                    sum += Math.log(Math.exp(Reference.dot(z[i], z[p]) / tau) / denom);
                    count++;
                }
            }
            if (count > 0) {
                total += -sum / count;
                anchors++;
            }
        }
        return total / anchors;
    }

    /** Wang et al.'s multi-similarity loss with all pairs or the multi-similarity miner. */
    public static double multiSimilarity(double[][] x, long[] y, double alpha, double beta,
            double base, String distance, boolean normalize, String miner, double eps) {
        double[][] m = matrix(x, distance, normalize);
        boolean sim = distance.equals("cosine");
        List<List<int[]>> pairs = miner.equals("all") ? allPairs(y)
                : multiSimilarityPairs(m, y, distance, eps);
        int n = y.length;
        double[] posSum = new double[n];
        double[] negSum = new double[n];
        for (int[] p : pairs.get(0)) {
            double v = m[p[0]][p[1]];
            posSum[p[0]] += Math.exp(alpha * (sim ? base - v : v - base));
        }
        for (int[] p : pairs.get(1)) {
            double v = m[p[0]][p[1]];
            negSum[p[0]] += Math.exp(beta * (sim ? v - base : base - v));
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.log(1 + posSum[i]) / alpha + Math.log(1 + negSum[i]) / beta;
        }
        return total / n;
    }
}
