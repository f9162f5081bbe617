package io.github.selfsup4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.eval.Retrieval.Metric;
import io.github.selfsup4j.eval.Retrieval.Result;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Retrieval metrics against hand-worked rankings (separate references, queries among the
 * references, a tie, a lone query) and against a brute-force full sort on random features.
 */
class RetrievalTest {

    static float[][] line(float... x) {
        float[][] f = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            f[i] = new float[] {x[i]};
        }
        return f;
    }

    @Test
    void separateReferencesByHand() {
        // references 0 (A), 1 (B), 2 (A), 3 (A), 10 (B). Query 0.4 (A): ranking A B A A B,
        // R = 3: P@1 1, R-Prec 2/3, MAP@R (1 + 2/3)/3 = 5/9. Query 9 (B): B A A B A, R = 2:
        // 1, 1/2, 1/2. Query 1.2 (label C) has no reference of its label: left out, but kNN
        // (k = 3) counts it: its neighbours 1 (B), 2 (A), 0 (A) vote A: wrong; query 9 votes A
        // (wrong); query 0.4 votes A (right).
        Result r = Retrieval.evaluate(line(0.4f, 9f, 1.2f), new int[] {0, 1, 2},
                line(0, 1, 2, 3, 10), new int[] {0, 1, 0, 0, 1}, false, Metric.EUCLIDEAN, 3);
        assertEquals(1.0, r.precisionAt1(), 1e-12);
        assertEquals((2.0 / 3 + 0.5) / 2, r.rPrecision(), 1e-12);
        assertEquals((5.0 / 9 + 0.5) / 2, r.mapAtR(), 1e-12);
        assertEquals(1.0 / 3, r.knnAccuracy(), 1e-12);
        assertEquals(2, r.queries());
        assertEquals(1, r.loneQueries());
    }

    @Test
    void queriesAmongReferencesExcludeThemselvesAndTiesGoToTheLowerIndex() {
        // points 0 (A), 1 (A), 5 (B), 6 (B), 7 (A), each querying the others.
        // 0: A B B A, R 2 -> 1, 1/2, 1/2.   1: A B B A -> 1, 1/2, 1/2.   5: B.., R 1 -> 1, 1, 1.
        // 6: 5 (B) and 7 (A) tie at distance 1; the lower index (5, B) comes first -> 1, 1, 1.
        // 7: B B A A, R 2 -> 0, 0, 0.
        Result r = Retrieval.evaluate(line(0, 1, 5, 6, 7), new int[] {0, 0, 1, 1, 0},
                Metric.EUCLIDEAN, 1);
        assertEquals(0.8, r.precisionAt1(), 1e-12);
        assertEquals(0.6, r.rPrecision(), 1e-12);
        assertEquals(0.6, r.mapAtR(), 1e-12);
        assertEquals(0.8, r.knnAccuracy(), 1e-12);
        assertEquals(5, r.queries());
        // the same tie the other way round: point 6 now tied between 5 (A) and 7 (B)
        Result swapped = Retrieval.evaluate(line(0, 1, 5, 6, 7), new int[] {0, 0, 0, 1, 1},
                Metric.EUCLIDEAN, 0);
        // 0: A A B B (R 2) 1,1,1; 1: A A.. 1,1,1; 5 (A): 6 B, 7 B, 1 A, 0 A (R 2) 0,0,0;
        // 6 (B): 5 A first (tie, lower index), then 7 B (R 1) -> 0,0,0; 7 (B): 6 B (R 1) 1,1,1
        assertEquals(0.6, swapped.precisionAt1(), 1e-12);
        assertEquals(0.6, swapped.mapAtR(), 1e-12);
        assertTrue(Double.isNaN(swapped.knnAccuracy()));
    }

    @Test
    void cosineIgnoresTheNormAndMatchesBruteForce() {
        float[][] x = {{1, 0}, {10, 1}, {0, 3}, {-1, 0.2f}};
        // angles 0°, 5.7°, 90°, 168.7°: by angle 0 and 1 are each other's nearest, 2's nearest
        // is 3 (78.7°, not 1 at 84.3°) and 3's is 2: all right
        Result r = Retrieval.evaluate(x, new int[] {0, 0, 1, 1}, Metric.COSINE, 1);
        assertEquals(1.0, r.precisionAt1(), 1e-12);
        // by Euclidean distance 0's nearest is 3 (2.01) and 3's is 0: two wrong
        Result e = Retrieval.evaluate(x, new int[] {0, 0, 1, 1}, Metric.EUCLIDEAN, 1);
        assertEquals(0.5, e.precisionAt1(), 1e-12);
    }

    /** Brute force: full sort of every reference by (distance, index), double precision. */
    static double[] bruteForce(float[][] q, int[] ql, float[][] ref, int[] rl, boolean self,
            boolean cosine, int k) {
        double sp1 = 0;
        double srp = 0;
        double smap = 0;
        int counted = 0;
        int hits = 0;
        for (int i = 0; i < q.length; i++) {
            final int qi = i;
            Integer[] order = new Integer[ref.length];
            double[] dist = new double[ref.length];
            for (int j = 0; j < ref.length; j++) {
                order[j] = j;
                double dot = 0;
                double nq = 0;
                double nr = 0;
                double sq = 0;
                for (int c = 0; c < q[i].length; c++) {
                    dot += (double) q[i][c] * ref[j][c];
                    nq += (double) q[i][c] * q[i][c];
                    nr += (double) ref[j][c] * ref[j][c];
                    sq += ((double) q[i][c] - ref[j][c]) * ((double) q[i][c] - ref[j][c]);
                }
                dist[j] = cosine ? -dot / Math.sqrt(nq * nr) : Math.sqrt(sq);
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> dist[j])
                    .thenComparingInt(j -> j));
            int[] ranked = Arrays.stream(order).mapToInt(Integer::intValue)
                    .filter(j -> !(self && j == qi)).toArray();
            int r = 0;
            for (int j = 0; j < ref.length; j++) {
                r += rl[j] == ql[i] && !(self && j == i) ? 1 : 0;
            }
            int[] votes = new int[10];
            for (int t = 0; t < k; t++) {
                votes[rl[ranked[t]]]++;
            }
            int best = -1;
            for (int t = 0; t < k; t++) {
                if (best < 0 || votes[rl[ranked[t]]] > votes[best]) {
                    best = rl[ranked[t]];
                }
            }
            hits += best == ql[i] ? 1 : 0;
            if (r == 0) {
                continue;
            }
            counted++;
            sp1 += rl[ranked[0]] == ql[i] ? 1 : 0;
            int correct = 0;
            double ap = 0;
            for (int t = 0; t < r; t++) {
                if (rl[ranked[t]] == ql[i]) {
                    correct++;
                    ap += (double) correct / (t + 1);
                }
            }
            srp += (double) correct / r;
            smap += ap / r;
        }
        return new double[] {sp1 / counted, srp / counted, smap / counted,
            (double) hits / q.length};
    }

    /**
     * Class-dependent Gaussian features (so the metrics are neither 0 nor 1). With {@code
     * eighths} every value is a multiple of 1/8 below 8 in magnitude: float32 dot products and
     * squared norms are then exact, so the Euclidean ranking is exact and has many exact ties,
     * which must be broken by index as in the brute force.
     */
    static float[][] random(Random r, int n, int d, int[] labels, int classes, boolean eighths) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(classes);
            for (int c = 0; c < d; c++) {
                double v = r.nextGaussian() + (c == labels[i] ? 1.5 : 0);
                x[i][c] = eighths ? (float) (Math.rint(Math.max(-7.5, Math.min(7.5, v)) * 8) / 8)
                        : (float) v;
            }
        }
        return x;
    }

    @Test
    void equalsBruteForceOnRandomFeatures() {
        Random r = new Random(11);
        for (Metric metric : Metric.values()) {
            boolean cosine = metric == Metric.COSINE;
            int[] ql = new int[300];
            float[][] q = random(r, 300, 16, ql, 6, !cosine);
            int[] rl = new int[700];
            float[][] ref = random(r, 700, 16, rl, 6, !cosine);
            Result sep = Retrieval.evaluate(q, ql, ref, rl, false, metric, 5);
            double[] want = bruteForce(q, ql, ref, rl, false, cosine, 5);
            assertEquals(want[0], sep.precisionAt1(), 1e-12, metric + " P@1");
            assertEquals(want[1], sep.rPrecision(), 1e-12, metric + " R-Precision");
            assertEquals(want[2], sep.mapAtR(), 1e-12, metric + " MAP@R");
            assertEquals(want[3], sep.knnAccuracy(), 1e-12, metric + " kNN");
            assertTrue(want[2] > 0.05 && want[2] < 0.95, "a discriminating case: " + want[2]);
            Result self = Retrieval.evaluate(ref, rl, metric, 7);
            double[] wantSelf = bruteForce(ref, rl, ref, rl, true, cosine, 7);
            assertEquals(wantSelf[0], self.precisionAt1(), 1e-12, metric + " self P@1");
            assertEquals(wantSelf[1], self.rPrecision(), 1e-12, metric + " self R-Precision");
            assertEquals(wantSelf[2], self.mapAtR(), 1e-12, metric + " self MAP@R");
            assertEquals(wantSelf[3], self.knnAccuracy(), 1e-12, metric + " self kNN");
        }
    }

    @Test
    void queriesAsAPrefixOfTheReferences() {
        Random r = new Random(2);
        int[] rl = new int[120];
        float[][] ref = random(r, 120, 8, rl, 4, true);
        float[][] q = Arrays.copyOf(ref, 50);
        int[] ql = Arrays.copyOf(rl, 50);
        Result got = Retrieval.evaluate(q, ql, ref, rl, true, Metric.EUCLIDEAN, 3);
        double[] want = bruteForce(q, ql, ref, rl, true, false, 3);
        assertEquals(want[2], got.mapAtR(), 1e-12);
        float[][] other = Arrays.copyOf(ref, 50);
        other[7] = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Retrieval.evaluate(other, ql, ref, rl, true, Metric.EUCLIDEAN, 3));
        assertTrue(e.getMessage().contains("row 7"), e.getMessage());
    }

    @Test
    void rejectsBadInputNamingArgumentAndValue() {
        float[][] x = {{0, 1}, {1, 0}, {1, 1}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Retrieval.evaluate(x, new int[] {0, 1}, Metric.COSINE, 1));
        assertTrue(e.getMessage().contains("labels") && e.getMessage().contains("2"));
        e = assertThrows(IllegalArgumentException.class, () -> Retrieval.evaluate(
                new float[][] {{0, 1}, {Float.NaN, 0}}, new int[] {0, 0}, Metric.COSINE, 1));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("row 1"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Retrieval.evaluate(x, new int[] {0, 1, 0}, Metric.COSINE, 3));
        assertTrue(e.getMessage().contains("k") && e.getMessage().contains("3"));
        e = assertThrows(IllegalArgumentException.class, () -> Retrieval.evaluate(x,
                new int[] {0, 1, 0}, new float[][] {{1, 2, 3}}, new int[] {0}, false,
                Metric.EUCLIDEAN, 0));
        assertTrue(e.getMessage().contains("columns"), e.getMessage());
        Result none = Retrieval.evaluate(x, new int[] {0, 1, 2}, Metric.COSINE, 1);
        assertTrue(Double.isNaN(none.mapAtR()), "every query lone: NaN, as PML");
        assertEquals(3, none.loneQueries());
    }
}
