package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** KID: a hand-computed case, a plain-loop reference, and its behaviour on samples. */
class KernelInceptionDistanceTest {

    @Test
    void handComputedTinyCase() {
        // d = 2; k(x₁,x₂) = k(y₁,y₂) = (0/2 + 1)³ = 1; k(x₁,y₁) = k(x₂,y₁) = (1/2 + 1)³ = 3.375,
        // k(x₁,y₂) = k(x₂,y₂) = 1. MMD² = 2·1/2 + 2·1/2 − 2·(3.375·2 + 2)/4 = 2 − 4.375
        double[][] x = {{1, 0}, {0, 1}};
        double[][] y = {{1, 1}, {0, 0}};
        assertEquals(-2.375, KernelInceptionDistance.mmd2(x, y), 1e-15);
    }

    @Test
    void matchesPlainLoops() {
        Random r = new Random(4);
        double[][] x = rows(r, 7, 3, 0);
        double[][] y = rows(r, 5, 3, 0.4);
        assertEquals(reference(x, y), KernelInceptionDistance.mmd2(x, y), 1e-12);
        // dimensions not a multiple of the 4-way unrolled dot product
        double[][] x9 = rows(r, 6, 9, 0);
        double[][] y9 = rows(r, 8, 9, 1);
        assertEquals(reference(x9, y9), KernelInceptionDistance.mmd2(x9, y9), 1e-12);
    }

    @Test
    void oneSubsetCoveringBothSetsIsTheFullEstimate() {
        Random r = new Random(6);
        double[][] x = rows(r, 30, 4, 0);
        double[][] y = rows(r, 25, 4, 0.5);
        KernelInceptionDistance.Result res = KernelInceptionDistance.builder()
                .optSubsets(1).optSubsetSize(1000).build().compute(x, y);
        assertEquals(reference(x, y), res.mean(), 1e-12);
        assertEquals(0, res.std());
        assertEquals(25, res.subsetSize());
    }

    @Test
    void nearZeroForOneDistributionLargerForShiftedOnes() {
        Random r = new Random(7);
        int d = 16;
        double[][] real = rows(r, 2000, d, 0);
        double[][] same = rows(r, 2000, d, 0);
        double[][] shifted = rows(r, 2000, d, 0.5);
        KernelInceptionDistance kid = KernelInceptionDistance.builder()
                .optSubsets(20).optSubsetSize(500).optSeed(1).build();
        KernelInceptionDistance.Result s = kid.compute(real, same);
        KernelInceptionDistance.Result f = kid.compute(real, shifted);
        System.out.printf("KID same distribution %.5f ± %.5f, mean shifted by 0.5: %.5f ± %.5f%n",
                s.mean(), s.std(), f.mean(), f.std());
        assertTrue(Math.abs(s.mean()) < 0.02 * f.mean(), s + " vs " + f);
        assertTrue(f.mean() > 10 * f.std(), f.toString());
        assertEquals(20, s.subsets());
        assertEquals(500, s.subsetSize());
    }

    @Test
    void seededSubsetsRepeat() {
        Random r = new Random(8);
        double[][] x = rows(r, 100, 5, 0);
        double[][] y = rows(r, 100, 5, 0.2);
        KernelInceptionDistance.Builder b = KernelInceptionDistance.builder()
                .optSubsets(5).optSubsetSize(20);
        double a1 = b.optSeed(3).build().compute(x, y).mean();
        double a2 = b.optSeed(3).build().compute(x, y).mean();
        double other = b.optSeed(4).build().compute(x, y).mean();
        assertEquals(a1, a2, 0);
        assertNotEquals(a1, other);
        float[][] xf = new float[100][5];
        float[][] yf = new float[100][5];
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 5; j++) {
                xf[i][j] = (float) x[i][j];
                yf[i][j] = (float) y[i][j];
                x[i][j] = xf[i][j];
                y[i][j] = yf[i][j];
            }
        }
        assertEquals(b.build().compute(x, y).mean(), b.build().compute(xf, yf).mean(), 0);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelInceptionDistance.builder().optSubsets(0).build());
        assertTrue(e.getMessage().contains("subsets") && e.getMessage().contains("0"));
        e = assertThrows(IllegalArgumentException.class,
                () -> KernelInceptionDistance.builder().optSubsetSize(1).build());
        assertTrue(e.getMessage().contains("subset_size") && e.getMessage().contains("1"));
        double[][] ok = {{1, 2}, {3, 4}};
        e = assertThrows(IllegalArgumentException.class,
                () -> KernelInceptionDistance.mmd2(ok, new double[][] {{1}, {2}}));
        assertTrue(e.getMessage().contains("2 and 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KernelInceptionDistance.builder()
                .build().compute(new double[][] {{1, 2}}, ok));
        assertTrue(e.getMessage().contains("real") && e.getMessage().contains("got 1"));
        e = assertThrows(IllegalArgumentException.class, () -> KernelInceptionDistance.builder()
                .build().compute(new float[][] {{1, 2}, {3, 4}},
                        new float[][] {{1, 2}, {Float.POSITIVE_INFINITY, 0}}));
        assertTrue(e.getMessage().contains("fake[1][0] is Infinity"), e.getMessage());
    }

    static double[][] rows(Random r, int n, int d, double shift) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian() + shift;
            }
        }
        return x;
    }

    /** The unbiased MMD² written from the formula: sums over i ≠ j, every kernel from scratch. */
    static double reference(double[][] x, double[][] y) {
        int m = x.length;
        int n = y.length;
        double xx = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += k(x[i], x[j]);
                }
            }
        }
        double yy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    yy += k(y[i], y[j]);
                }
            }
        }
        double xy = 0;
        for (double[] a : x) {
            for (double[] b : y) {
                xy += k(a, b);
            }
        }
        return xx / (m * (m - 1.0)) + yy / (n * (n - 1.0)) - 2 * xy / ((double) m * n);
    }

    private static double k(double[] a, double[] b) {
        double dot = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
        }
        return Math.pow(dot / a.length + 1, 3);
    }
}
