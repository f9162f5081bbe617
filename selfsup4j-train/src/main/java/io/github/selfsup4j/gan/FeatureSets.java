package io.github.selfsup4j.gan;

/** Checks and converts the N×D feature sets the sample-quality metrics take. */
final class FeatureSets {

    private FeatureSets() {}

    /** A copy of {@code x} in double precision, checked by {@link #check}. */
    static double[][] toDouble(String metric, String name, float[][] x, int minRows) {
        if (x == null) {
            throw new IllegalArgumentException(metric + ": " + name + " must not be null");
        }
        double[][] r = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null) {
                throw new IllegalArgumentException(metric + ": " + name + " row " + i
                        + " is null");
            }
            r[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                r[i][j] = x[i][j];
            }
        }
        return check(metric, name, r, minRows);
    }

    /**
     * Checks that {@code x} has at least {@code minRows} rows of equal, non-zero length and only
     * finite values; returns it.
     */
    static double[][] check(String metric, String name, double[][] x, int minRows) {
        if (x == null) {
            throw new IllegalArgumentException(metric + ": " + name + " must not be null");
        }
        if (x.length < minRows) {
            throw new IllegalArgumentException(metric + ": " + name + " needs at least "
                    + minRows + " rows, got " + x.length);
        }
        int d = -1;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null) {
                throw new IllegalArgumentException(metric + ": " + name + " row " + i
                        + " is null");
            }
            if (d < 0) {
                d = x[i].length;
                if (d == 0) {
                    throw new IllegalArgumentException(metric + ": " + name
                            + " has rows of length 0");
                }
            } else if (x[i].length != d) {
                throw new IllegalArgumentException(metric + ": " + name + " row " + i + " has "
                        + x[i].length + " values, row 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(x[i][j])) {
                    throw new IllegalArgumentException(metric + ": " + name + "[" + i + "]["
                            + j + "] is " + x[i][j] + " (must be finite)");
                }
            }
        }
        return x;
    }

    /** Checks that two sets have the same feature dimension. */
    static void sameDimension(String metric, double[][] a, double[][] b) {
        if (a[0].length != b[0].length) {
            throw new IllegalArgumentException(metric + ": feature dimensions differ: "
                    + a[0].length + " and " + b[0].length);
        }
    }
}
