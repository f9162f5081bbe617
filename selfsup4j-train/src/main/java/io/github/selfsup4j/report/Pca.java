package io.github.selfsup4j.report;

/** The first two principal components by power iteration with deflation (plain Java). */
final class Pca {

    private Pca() {}

    /** Projects centred rows onto the top two principal directions. */
    static double[][] project2d(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / (double) n;
            }
        }
        double[][] cov = new double[d][d];
        for (float[] r : x) {
            for (int a = 0; a < d; a++) {
                double va = r[a] - mean[a];
                for (int b = a; b < d; b++) {
                    cov[a][b] += va * (r[b] - mean[b]);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                cov[a][b] = cov[b][a];
            }
        }
        double[] v1 = top(cov, d, 1);
        double l1 = rayleigh(cov, v1);
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                cov[a][b] -= l1 * v1[a] * v1[b];
            }
        }
        double[] v2 = top(cov, d, 2);
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i][j] - mean[j];
                out[i][0] += c * v1[j];
                out[i][1] += c * v2[j];
            }
        }
        return out;
    }

    private static double[] top(double[][] m, int d, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = r.nextGaussian();
        }
        for (int it = 0; it < 300; it++) {
            double[] w = new double[d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    w[a] += m[a][b] * v[b];
                }
            }
            double norm = 0;
            for (double z : w) {
                norm += z * z;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return v;
            }
            for (int a = 0; a < d; a++) {
                v[a] = w[a] / norm;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] m, double[] v) {
        double s = 0;
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < v.length; b++) {
                s += v[a] * m[a][b] * v[b];
            }
        }
        return s;
    }
}
