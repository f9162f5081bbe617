package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A = V·diag(λ)·Vᵀ with orthonormal V, for random, diagonal and degenerate matrices. */
class SymmetricEigenTest {

    static double[][] randomSymmetric(Random r, int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = r.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    static void assertDecomposes(double[][] a, double tol) {
        int n = a.length;
        SymmetricEigen e = SymmetricEigen.of(a);
        double[] l = e.values();
        double[][] v = e.vectors();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double rec = 0;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    rec += v[i][k] * l[k] * v[j][k];
                    dot += v[k][i] * v[k][j];
                }
                assertEquals(a[i][j], rec, tol, "reconstruction [" + i + "][" + j + "]");
                assertEquals(i == j ? 1 : 0, dot, tol, "orthonormality [" + i + "][" + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 7, 40, 256})
    void randomSymmetricMatricesDecompose(int n) {
        assertDecomposes(randomSymmetric(new Random(n), n), 1e-9 * Math.max(1, n));
    }

    @Test
    void diagonalAndDegenerateMatrices() {
        assertDecomposes(new double[][] {{3, 0, 0}, {0, -1, 0}, {0, 0, 2}}, 1e-12);
        assertDecomposes(new double[][] {{1, 0}, {0, 1}}, 1e-12);
        assertDecomposes(new double[4][4], 1e-12);
        // rank one: u uᵀ with u = (1, 2, 3)
        double[][] r1 = {{1, 2, 3}, {2, 4, 6}, {3, 6, 9}};
        assertDecomposes(r1, 1e-12);
        double[] l = SymmetricEigen.of(r1).values();
        Arrays.sort(l);
        assertEquals(0, l[0], 1e-12);
        assertEquals(0, l[1], 1e-12);
        assertEquals(14, l[2], 1e-12);
    }

    @Test
    void handCase2x2() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3
        double[] l = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}}).values();
        Arrays.sort(l);
        assertEquals(1, l[0], 1e-14);
        assertEquals(3, l[1], 1e-14);
    }

    @Test
    void squareRootSquaresBack() {
        Random r = new Random(9);
        int n = 30;
        double[][] b = randomSymmetric(r, n);
        double[][] psd = new double[n][n]; // B·B is positive semi-definite
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    psd[i][j] += b[i][k] * b[k][j];
                }
            }
        }
        double[][] s = SymmetricEigen.of(psd).sqrtPsd();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sq = 0;
                for (int k = 0; k < n; k++) {
                    sq += s[i][k] * s[k][j];
                }
                assertEquals(psd[i][j], sq, 1e-9, "[" + i + "][" + j + "]");
                assertEquals(s[i][j], s[j][i], 1e-12, "symmetric");
            }
        }
    }
}
