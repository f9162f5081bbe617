package io.github.selfsup4j.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;

/** A plain-Java array with a shape: the test's source of truth, turned into NDArrays on demand. */
public final class Arr {
    public final long[] shape;
    public final double[] data;
    public final boolean integer;

    private Arr(long[] shape, double[] data, boolean integer) {
        this.shape = shape;
        this.data = data;
        this.integer = integer;
    }

    public static Arr mat(double[][] m) {
        int n = m.length;
        int d = m[0].length;
        double[] v = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, v, i * d, d);
        }
        return new Arr(new long[] {n, d}, v, false);
    }

    public static Arr vec(double... v) {
        return new Arr(new long[] {v.length}, v.clone(), false);
    }

    public static Arr ints(long... v) {
        return new Arr(new long[] {v.length}, Arrays.stream(v).asDoubleStream().toArray(), true);
    }

    public static Arr of(long[] shape, double[] data) {
        return new Arr(shape.clone(), data.clone(), false);
    }

    public static Arr gaussian(Random rng, int n, int d) {
        double[][] m = new double[n][d];
        for (double[] row : m) {
            for (int j = 0; j < d; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return mat(m);
    }

    public static Arr uniform(Random rng, double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return vec(v);
    }

    public Arr reshape(long... newShape) {
        return new Arr(newShape.clone(), data.clone(), integer);
    }

    public int rows() {
        return (int) shape[0];
    }

    public int cols() {
        return (int) shape[1];
    }

    public double[][] matrix() {
        int n = rows();
        int d = cols();
        double[][] m = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data, i * d, m[i], 0, d);
        }
        return m;
    }

    public long[] longs() {
        return Arrays.stream(data).mapToLong(x -> (long) x).toArray();
    }

    public Arr withRows(int from, int to) {
        int d = (int) (data.length / shape[0]);
        long[] s = shape.clone();
        s[0] = to - from;
        return new Arr(s, Arrays.copyOfRange(data, from * d, to * d), integer);
    }

    /** The array in {@code type} (integers always as INT64). */
    public NDArray nd(NDManager m, DataType type) {
        if (integer) {
            return m.create(longs(), new Shape(shape));
        }
        return m.create(data, new Shape(shape)).toType(type, false);
    }
}
