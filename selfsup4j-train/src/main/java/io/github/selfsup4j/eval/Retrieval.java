package io.github.selfsup4j.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Retrieval metrics of metric learning, defined as in Musgrave, Belongie and Lim 2020 ("A Metric
 * Learning Reality Check") and PML's {@code AccuracyCalculator}, plus k-nearest-neighbour
 * accuracy, on plain {@code float[][]} features.
 *
 * <p>For a query q with label y, R is the number of references labelled y (less one when q itself
 * is among the references, {@code referencesIncludeQueries}: query i is reference i and is never
 * retrieved). References are ranked by distance (Euclidean) or similarity (cosine); with
 * {@code rel(i)} = 1 when the i-th retrieved reference has label y:
 *
 * <ul>
 *   <li>Precision@1 = rel(1);
 *   <li>R-Precision = (1/R) Σ_{i ≤ R} rel(i);
 *   <li>MAP@R = (1/R) Σ_{i ≤ R} rel(i) · P(i), with P(i) the precision of the first i.
 * </ul>
 *
 * <p>Each is averaged over the queries with R ≥ 1; a query whose label has no other reference is
 * left out of all three ("lone" queries, PML's {@code not_lone_query_mask}); with none left the
 * metrics are NaN, as PML's. kNN accuracy votes among the k nearest references (self excluded);
 * a tie between classes goes to the class met first in the ranking. It covers every query.
 *
 * <p><b>Ties.</b> References at equal distance are ranked by ascending reference index. PML
 * leaves their order to its k-NN backend (FAISS or {@code torch.topk}), so on exact ties the two
 * may differ; without ties they agree. Scores are computed in float32 as PML's (it casts
 * embeddings to float): cosine as the dot product of rows normalised in double, Euclidean through
 * \(2 q^\top r - \lVert r\rVert^2\), which orders references as the distance does.
 *
 * <p><b>Cost.</b> Dot products in blocks (256 references a block, four queries against four references
 * at a time, sixteen sums in registers), query blocks in parallel, and per query a bounded heap of the
 * max(R, k) best references: O(Q·M·D) arithmetic and O(Q·max(R, k)) memory, never the Q×M
 * matrix.
 */
public final class Retrieval {

    /** How references are compared with a query. */
    public enum Metric {
        /** Cosine similarity: rows L2-normalised, larger is closer. */
        COSINE,
        /** Euclidean distance: smaller is closer. */
        EUCLIDEAN
    }

    /**
     * The retrieval metrics.
     *
     * @param precisionAt1 mean Precision@1 over the queries with R ≥ 1
     * @param rPrecision mean R-Precision over them
     * @param mapAtR mean MAP@R over them
     * @param knnAccuracy fraction of all queries whose k-NN vote is their label (NaN if k = 0)
     * @param queries how many queries the first three average (R ≥ 1)
     * @param loneQueries how many queries were left out (R = 0)
     */
    public record Result(double precisionAt1, double rPrecision, double mapAtR,
            double knnAccuracy, int queries, int loneQueries) {}

    private static final int COLUMN_BLOCK = 256;
    private static final int QUERY_BLOCK = 32;
    private static final int GROUP = 4;

    private Retrieval() {}

    /**
     * Every sample queries all the others (PML's {@code get_accuracy(query)} with no reference).
     *
     * @param features N×D features
     * @param labels their N labels
     * @param metric cosine or Euclidean
     * @param k the k of kNN accuracy (≥ 1), or 0 for none
     */
    public static Result evaluate(float[][] features, int[] labels, Metric metric, int k) {
        return evaluate(features, labels, features, labels, true, metric, k);
    }

    /**
     * Queries against references.
     *
     * @param queries Q×D query features
     * @param queryLabels their Q labels
     * @param references M×D reference features
     * @param referenceLabels their M labels
     * @param referencesIncludeQueries whether query i is reference i (the first Q references must
     *     then equal the queries) and is left out of its own ranking
     * @param metric cosine or Euclidean
     * @param k the k of kNN accuracy (≥ 1), or 0 for none
     * @return the metrics
     * @throws IllegalArgumentException naming the argument and value for empty, ragged or
     *     non-finite features, labels of another length, or a bad k
     */
    public static Result evaluate(float[][] queries, int[] queryLabels, float[][] references,
            int[] referenceLabels, boolean referencesIncludeQueries, Metric metric, int k) {
        int d = check("queries", queries, queryLabels, -1);
        check("references", references, referenceLabels, d);
        int self = referencesIncludeQueries ? 1 : 0;
        if (referencesIncludeQueries) {
            if (queries.length > references.length) {
                throw new IllegalArgumentException("references must begin with the "
                        + queries.length + " queries, got only " + references.length + " rows");
            }
            for (int i = 0; i < queries.length; i++) {
                if (!Arrays.equals(queries[i], references[i])
                        || queryLabels[i] != referenceLabels[i]) {
                    throw new IllegalArgumentException("references must begin with the queries"
                            + " (referencesIncludeQueries), but row " + i + " differs");
                }
            }
        }
        if (k < 0 || k > references.length - self) {
            throw new IllegalArgumentException("k must be in [0, " + (references.length - self)
                    + "] (0: no kNN accuracy), got " + k);
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y : referenceLabels) {
            counts.merge(y, 1, Integer::sum);
        }
        int m = references.length;
        float[][] q = prepare(queries, metric);
        float[][] r = prepare(references, metric);
        float[] refNorm2 = new float[m];
        if (metric == Metric.EUCLIDEAN) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (float v : r[j]) {
                    s += (double) v * v;
                }
                refNorm2[j] = (float) s;
            }
        }
        int nq = q.length;
        int[] rel = new int[nq];
        double[] p1 = new double[nq];
        double[] rp = new double[nq];
        double[] map = new double[nq];
        boolean[] knnHit = new boolean[nq];
        for (int i = 0; i < nq; i++) {
            rel[i] = counts.getOrDefault(queryLabels[i], 0) - self;
        }
        int blocks = (nq + QUERY_BLOCK - 1) / QUERY_BLOCK;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            int from = b * QUERY_BLOCK;
            int to = Math.min(nq, from + QUERY_BLOCK);
            Heap[] heaps = new Heap[to - from];
            for (int i = from; i < to; i++) {
                heaps[i - from] = new Heap(Math.max(Math.max(rel[i], k), 1));
            }
            float[][] acc = new float[GROUP][COLUMN_BLOCK];
            for (int c0 = 0; c0 < m; c0 += COLUMN_BLOCK) {
                int width = Math.min(COLUMN_BLOCK, m - c0);
                for (int g = from; g < to; g += GROUP) {
                    int rows = Math.min(GROUP, to - g);
                    dots(q, g, rows, r, c0, width, acc);
                    for (int i = g; i < g + rows; i++) {
                        float[] a = acc[i - g];
                        Heap h = heaps[i - from];
                        for (int j = 0; j < width; j++) {
                            int ref = c0 + j;
                            if (self == 1 && ref == i) {
                                continue;
                            }
                            h.offer(metric == Metric.EUCLIDEAN ? 2 * a[j] - refNorm2[ref] : a[j],
                                    ref);
                        }
                    }
                }
            }
            for (int i = from; i < to; i++) {
                int[] ranked = heaps[i - from].ranked();
                score(i, ranked, queryLabels[i], referenceLabels, rel[i], k, p1, rp, map,
                        knnHit);
            }
        });
        double sp1 = 0;
        double srp = 0;
        double smap = 0;
        int counted = 0;
        int hits = 0;
        for (int i = 0; i < nq; i++) {
            if (rel[i] > 0) {
                sp1 += p1[i];
                srp += rp[i];
                smap += map[i];
                counted++;
            }
            hits += knnHit[i] ? 1 : 0;
        }
        return new Result(sp1 / counted, srp / counted, smap / counted,
                k == 0 ? Double.NaN : (double) hits / nq, counted, nq - counted);
    }

    /** The metrics of query i from its ranked references. */
    private static void score(int i, int[] ranked, int label, int[] refLabels, int r, int k,
            double[] p1, double[] rp, double[] map, boolean[] knnHit) {
        if (r > 0) {
            p1[i] = refLabels[ranked[0]] == label ? 1 : 0;
            int correct = 0;
            double precisions = 0;
            for (int t = 0; t < r; t++) {
                if (refLabels[ranked[t]] == label) {
                    correct++;
                    precisions += (double) correct / (t + 1);
                }
            }
            rp[i] = (double) correct / r;
            map[i] = precisions / r;
        }
        if (k > 0) {
            Map<Integer, Integer> votes = new HashMap<>();
            int best = refLabels[ranked[0]];
            for (int t = 0; t < k; t++) {
                votes.merge(refLabels[ranked[t]], 1, Integer::sum);
            }
            // the first class in ranking order with the most votes
            int bestVotes = -1;
            for (int t = 0; t < k; t++) {
                int c = refLabels[ranked[t]];
                if (votes.get(c) > bestVotes) {
                    bestVotes = votes.get(c);
                    best = c;
                }
            }
            knnHit[i] = best == label;
        }
    }

    /**
     * acc[g][j] = q[first + g] · ref[c0 + j] for g < rows, j < width. Four queries against
     * four references at a time: sixteen independent sums in registers, each loaded value used
     * four times (measured 2× the transposed axpy form on this JDK, which does not vectorise it).
     */
    private static void dots(float[][] q, int first, int rows, float[][] ref, int c0, int width,
            float[][] acc) {
        int j = 0;
        if (rows == GROUP) {
            float[] q0 = q[first];
            float[] q1 = q[first + 1];
            float[] q2 = q[first + 2];
            float[] q3 = q[first + 3];
            for (; j + 4 <= width; j += 4) {
                float[] r0 = ref[c0 + j];
                float[] r1 = ref[c0 + j + 1];
                float[] r2 = ref[c0 + j + 2];
                float[] r3 = ref[c0 + j + 3];
                float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
                for (int t = 0; t < q0.length; t++) {
                    float a0 = q0[t];
                    float a1 = q1[t];
                    float a2 = q2[t];
                    float a3 = q3[t];
                    float b0 = r0[t];
                    float b1 = r1[t];
                    float b2 = r2[t];
                    float b3 = r3[t];
                    s00 += a0 * b0;
                    s01 += a0 * b1;
                    s02 += a0 * b2;
                    s03 += a0 * b3;
                    s10 += a1 * b0;
                    s11 += a1 * b1;
                    s12 += a1 * b2;
                    s13 += a1 * b3;
                    s20 += a2 * b0;
                    s21 += a2 * b1;
                    s22 += a2 * b2;
                    s23 += a2 * b3;
                    s30 += a3 * b0;
                    s31 += a3 * b1;
                    s32 += a3 * b2;
                    s33 += a3 * b3;
                }
                store(acc[0], j, s00, s01, s02, s03);
                store(acc[1], j, s10, s11, s12, s13);
                store(acc[2], j, s20, s21, s22, s23);
                store(acc[3], j, s30, s31, s32, s33);
            }
        }
        for (int g = 0; g < rows; g++) {
            float[] qg = q[first + g];
            for (int c = j; c < width; c++) {
                float[] rc = ref[c0 + c];
                float sum = 0;
                for (int t = 0; t < qg.length; t++) {
                    sum += qg[t] * rc[t];
                }
                acc[g][c] = sum;
            }
        }
    }

    private static void store(float[] a, int j, float v0, float v1, float v2, float v3) {
        a[j] = v0;
        a[j + 1] = v1;
        a[j + 2] = v2;
        a[j + 3] = v3;
    }

    /** The features as compared: L2-normalised (in double) for cosine, as given otherwise. */
    private static float[][] prepare(float[][] x, Metric metric) {
        if (metric == Metric.EUCLIDEAN) {
            return x;
        }
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (float v : x[i]) {
                s += (double) v * v;
            }
            double n = Math.max(Math.sqrt(s), 1e-12);
            out[i] = new float[x[i].length];
            for (int c = 0; c < x[i].length; c++) {
                out[i][c] = (float) (x[i][c] / n);
            }
        }
        return out;
    }

    private static int check(String name, float[][] x, int[] labels, int d) {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one row, got "
                    + (x == null ? "null" : "0 rows"));
        }
        if (labels == null || labels.length != x.length) {
            throw new IllegalArgumentException(name + " labels must have " + x.length
                    + " entries, got " + (labels == null ? "null" : labels.length));
        }
        int width = d < 0 ? x[0].length : d;
        if (width == 0) {
            throw new IllegalArgumentException(name + " must have at least one column, got 0");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != width) {
                throw new IllegalArgumentException(name + " row " + i + " has " + x[i].length
                        + " columns, expected " + width);
            }
            for (int c = 0; c < width; c++) {
                if (!Float.isFinite(x[i][c])) {
                    throw new IllegalArgumentException(name + " must be finite, got " + x[i][c]
                            + " at row " + i + ", column " + c);
                }
            }
        }
        return width;
    }

    /**
     * The best {@code capacity} (score, index) entries seen: larger score first, then lower
     * index. A min-heap on that order whose root is the worst kept entry.
     */
    private static final class Heap {
        private final float[] scores;
        private final int[] ids;
        private int size;

        Heap(int capacity) {
            scores = new float[capacity];
            ids = new int[capacity];
        }

        /** Whether (s1, i1) ranks after (s2, i2). */
        private static boolean worse(float s1, int i1, float s2, int i2) {
            return s1 < s2 || (s1 == s2 && i1 > i2);
        }

        void offer(float score, int id) {
            if (size < scores.length) {
                int c = size++;
                while (c > 0) {
                    int parent = (c - 1) / 2;
                    if (!worse(score, id, scores[parent], ids[parent])) {
                        break;
                    }
                    scores[c] = scores[parent];
                    ids[c] = ids[parent];
                    c = parent;
                }
                scores[c] = score;
                ids[c] = id;
            } else if (worse(scores[0], ids[0], score, id)) {
                siftDown(score, id);
            }
        }

        private void siftDown(float score, int id) {
            int c = 0;
            while (true) {
                int l = 2 * c + 1;
                if (l >= size) {
                    break;
                }
                int w = l + 1 < size && worse(scores[l + 1], ids[l + 1], scores[l], ids[l])
                        ? l + 1 : l;
                if (!worse(scores[w], ids[w], score, id)) {
                    break;
                }
                scores[c] = scores[w];
                ids[c] = ids[w];
                c = w;
            }
            scores[c] = score;
            ids[c] = id;
        }

        /** The kept indices, best first (empties the heap: the worst is popped first). */
        int[] ranked() {
            int[] out = new int[size];
            while (size > 0) {
                out[size - 1] = ids[0];
                size--;
                if (size > 0) {
                    siftDown(scores[size], ids[size]);
                }
            }
            return out;
        }
    }
}
