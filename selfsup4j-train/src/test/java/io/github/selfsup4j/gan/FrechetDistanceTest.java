package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.gan.FrechetDistance.Gaussian;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Fréchet distance against closed forms (diagonal, commuting and non-commuting covariances),
 * an independent reference (Cholesky and a Jacobi eigen-solver written here), and its
 * invariances.
 */
class FrechetDistanceTest {

    @Test
    void diagonalCovariancesHaveTheClosedForm() {
        // d² = ‖μ₁−μ₂‖² + Σ (√a − √b)²
        double[] m1 = {1, 2, 3};
        double[] m2 = {0, 2, 5};
        double[] a = {4, 1, 9};
        double[] b = {1, 1, 16};
        double expected = 1 + 0 + 4 + (2 - 1) * (2 - 1) + 0 + (3 - 4) * (3 - 4);
        assertEquals(7, expected);
        assertEquals(expected, FrechetDistance.between(
                new Gaussian(m1, diag(a)), new Gaussian(m2, diag(b))), 1e-12);
    }

    @Test
    void commutingRotatedCovariancesHaveTheClosedForm() {
        // S1 = R diag(a) Rᵀ, S2 = R diag(b) Rᵀ commute: Tr(S1 S2)^½ = Σ √(a b)
        double t = 0.7;
        double[][] rot = {{Math.cos(t), -Math.sin(t)}, {Math.sin(t), Math.cos(t)}};
        double[] a = {5, 0.5};
        double[] b = {2, 3};
        double[][] s1 = rotate(rot, a);
        double[][] s2 = rotate(rot, b);
        assertTrue(Math.abs(s1[0][1]) > 0.5, "not diagonal");
        double expected = Math.pow(Math.sqrt(5) - Math.sqrt(2), 2)
                + Math.pow(Math.sqrt(0.5) - Math.sqrt(3), 2);
        assertEquals(expected, FrechetDistance.between(
                new Gaussian(new double[2], s1), new Gaussian(new double[2], s2)), 1e-12);
    }

    @Test
    void nonCommuting2x2CovariancesHaveTheClosedForm() {
        // For 2×2 M = S1 S2 with eigenvalues λ₁, λ₂ >= 0: (√λ₁ + √λ₂)² = Tr M + 2 √det M
        double[][] s1 = {{2, 0.6}, {0.6, 1}};
        double[][] s2 = {{1, -0.3}, {-0.3, 3}};
        double[][] m = {
            {s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0], s1[0][0] * s2[0][1] + s1[0][1] * s2[1][1]},
            {s1[1][0] * s2[0][0] + s1[1][1] * s2[1][0], s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1]}};
        double trM = m[0][0] + m[1][1];
        double detM = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        double trSqrt = Math.sqrt(trM + 2 * Math.sqrt(detM));
        double[] m1 = {0.5, -1};
        double[] m2 = {1.5, 1};
        double expected = 1 + 4 + (2 + 1) + (1 + 3) - 2 * trSqrt;
        assertEquals(expected, FrechetDistance.between(new Gaussian(m1, s1), new Gaussian(m2, s2)),
                1e-12);
    }

    @Test
    void matchesAnIndependentReferenceForRandomCovariances() {
        Random r = new Random(3);
        int d = 24;
        double[][] x = gaussianRows(r, 60, d, 1.0, 0);
        double[][] y = gaussianRows(r, 80, d, 1.5, 0.3);
        double expected = reference(x, y);
        assertEquals(expected, FrechetDistance.between(x, y), 1e-9 * expected);
        // rank-deficient covariances: fewer samples than dimensions
        double[][] xs = gaussianRows(r, 10, d, 1.0, 0);
        double[][] ys = gaussianRows(r, 12, d, 2.0, 1);
        double expectedSmall = reference(xs, ys);
        assertEquals(expectedSmall, FrechetDistance.between(xs, ys), 1e-7 * expectedSmall);
    }

    @Test
    void samplesApproachTheDistanceOfTheirGaussians() {
        // N(0, diag(1, 4, 9)) and N((1, 0, 0), I): d² = 1 + (1−1)² + (2−1)² + (3−1)² = 6
        Random r = new Random(11);
        int n = 20000;
        double[][] x = new double[n][3];
        double[][] y = new double[n][3];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {r.nextGaussian(), 2 * r.nextGaussian(), 3 * r.nextGaussian()};
            y[i] = new double[] {1 + r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        }
        assertEquals(6, FrechetDistance.between(x, y), 0.15);
    }

    @Test
    void identicalSetsGiveZeroAndOrderDoesNotMatter() {
        Random r = new Random(5);
        for (int n : new int[] {500, 40}) { // full rank and rank-deficient (40 < 64)
            double[][] x = gaussianRows(r, n, 64, 1.0, 0.2);
            assertEquals(0, FrechetDistance.between(x, x), 1e-9 * 64, "n = " + n);
            double[][] y = gaussianRows(r, n, 64, 1.3, 0);
            double fd = FrechetDistance.between(x, y);
            double[][] shuffled = y.clone();
            java.util.Collections.shuffle(java.util.Arrays.asList(shuffled), new Random(1));
            assertEquals(fd, FrechetDistance.between(x, shuffled), 1e-9 * fd);
            // with rank-deficient covariances the zero eigenvalues carry rounding of ~1e-16,
            // whose square roots (~1e-8 each) make the two orders differ by ~1e-9 relative
            assertEquals(fd, FrechetDistance.between(y, x), (n < 64 ? 1e-7 : 1e-10) * fd,
                    "symmetric");
            assertTrue(fd > 1, "different sets are apart: " + fd);
        }
    }

    @Test
    void floatInputEqualsDoubleInput() {
        Random r = new Random(8);
        float[][] xf = new float[100][5];
        float[][] yf = new float[90][5];
        double[][] xd = new double[100][5];
        double[][] yd = new double[90][5];
        fill(r, xf, xd, 0);
        fill(r, yf, yd, 0.5);
        assertEquals(FrechetDistance.between(xd, yd), FrechetDistance.between(xf, yf), 0);
    }

    @Test
    void dimension256IsFast() {
        Random r = new Random(2);
        int d = 256;
        double[][] x = gaussianRows(r, 1000, d, 1.0, 0);
        double[][] y = gaussianRows(r, 1000, d, 1.2, 0.1);
        Gaussian gx = Gaussian.fit(x);
        Gaussian gy = Gaussian.fit(y);
        FrechetDistance.between(gx, gy); // warm-up
        long t0 = System.nanoTime();
        double fd = FrechetDistance.between(gx, gy);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        FrechetDistance.between(x, y);
        double withFit = (System.nanoTime() - t1) / 1e9;
        System.out.printf("FrechetDistance D=256: %.3f s from fitted Gaussians, %.3f s with the"
                + " fits of 2×1000 rows (fd %.4f)%n", seconds, withFit, fd);
        assertTrue(Double.isFinite(fd) && fd > 0);
    }

    @Test
    void badInputIsRejected() {
        double[][] ok = {{1, 2}, {3, 4}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(new double[][] {{1, 2}}, ok));
        assertTrue(e.getMessage().contains("a") && e.getMessage().contains("got 1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(ok, new double[][] {{1, 2, 3}, {4, 5, 6}}));
        assertTrue(e.getMessage().contains("2 and 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(ok, new double[][] {{1, 2}, {Double.NaN, 4}}));
        assertTrue(e.getMessage().contains("b[1][0] is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(ok, new double[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("row 1 has 1 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(new Gaussian(new double[2], diag(new double[] {1, 1})),
                        new Gaussian(new double[2], new double[][] {{1, 0}})));
        assertTrue(e.getMessage().contains("covariance 2"), e.getMessage());
    }

    // ---- helpers and the independent reference ----

    static double[][] diag(double[] a) {
        double[][] m = new double[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            m[i][i] = a[i];
        }
        return m;
    }

    static double[][] rotate(double[][] rot, double[] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    m[i][j] += rot[i][k] * a[k] * rot[j][k];
                }
            }
        }
        return m;
    }

    /** Rows with correlated columns: x = scale·(g + 0.5·g_shifted) + shift. */
    static double[][] gaussianRows(Random r, int n, int d, double scale, double shift) {
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] g = new double[d];
            for (int j = 0; j < d; j++) {
                g[j] = r.nextGaussian();
            }
            for (int j = 0; j < d; j++) {
                x[i][j] = scale * (g[j] + 0.5 * g[(j + 1) % d] * (j % 3)) + shift * j / d;
            }
        }
        return x;
    }

    private static void fill(Random r, float[][] f, double[][] d, double shift) {
        for (int i = 0; i < f.length; i++) {
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] = (float) (r.nextGaussian() + shift * j);
                d[i][j] = f[i][j];
            }
        }
    }

    /**
     * Independent reference: plain mean and covariance; Tr(S1 S2)^½ from the eigenvalues of
     * Lᵀ S2 L with S1 + δI = L Lᵀ (Cholesky; δ tiny so that a rank-deficient S1 works), which
     * are those of (S1 + δI) S2, found by cyclic Jacobi rotations.
     */
    static double reference(double[][] x, double[][] y) {
        int d = x[0].length;
        double[] mx = mean(x);
        double[] my = mean(y);
        double[][] sx = cov(x, mx);
        double[][] sy = cov(y, my);
        double[][] shifted = new double[d][];
        for (int i = 0; i < d; i++) {
            shifted[i] = sx[i].clone();
            shifted[i][i] += 1e-13;
        }
        double[][] l = cholesky(shifted);
        double[][] m = new double[d][d]; // Lᵀ S2 L
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        s += l[a][i] * sy[a][b] * l[b][j];
                    }
                }
                m[i][j] = s;
            }
        }
        double trSqrt = 0;
        for (double v : jacobiEigenvalues(m)) {
            trSqrt += Math.sqrt(Math.max(v, 0));
        }
        double fd = 0;
        for (int j = 0; j < d; j++) {
            fd += (mx[j] - my[j]) * (mx[j] - my[j]) + sx[j][j] + sy[j][j];
        }
        return fd - 2 * trSqrt;
    }

    static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] row : x) {
            for (int j = 0; j < m.length; j++) {
                m[j] += row[j] / x.length;
            }
        }
        return m;
    }

    static double[][] cov(double[][] x, double[] m) {
        int d = m.length;
        double[][] c = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                for (double[] row : x) {
                    c[a][b] += (row[a] - m[a]) * (row[b] - m[b]) / (x.length - 1);
                }
            }
        }
        return c;
    }

    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(Math.max(s, 0)) : (l[j][j] == 0 ? 0 : s / l[j][j]);
            }
        }
        return l;
    }

    /** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
    static double[] jacobiEigenvalues(double[][] in) {
        int n = in.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = in[i].clone();
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // A ← A J
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // A ← Jᵀ A
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = a[i][i];
        }
        return v;
    }
}
