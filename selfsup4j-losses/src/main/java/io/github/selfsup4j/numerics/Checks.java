package io.github.selfsup4j.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Argument checks shared by every loss. Each failure is an {@link IllegalArgumentException} whose
 * message names the loss, the argument and the offending value, so that a user sees at once what
 * to fix.
 */
public final class Checks {

    private Checks() {}

    /** A hyperparameter that must be finite and strictly positive (temperature, margin...). */
    public static double positive(String owner, String name, double value) {
        if (!Double.isFinite(value) || value <= 0) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** A hyperparameter that must be finite and non-negative (coefficients, margins). */
    public static double nonNegative(String owner, String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** A hyperparameter in the half-open interval [lo, hi). */
    public static double inRange(String owner, String name, double value, double lo, double hi) {
        if (!Double.isFinite(value) || value < lo || value >= hi) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be in [" + lo + ", " + hi + "), got " + value);
        }
        return value;
    }

    /** An integer hyperparameter with a lower bound. */
    public static int atLeast(String owner, String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** A required input that must be present. */
    public static NDArray present(String owner, String name, NDArray array) {
        if (array == null) {
            throw new IllegalArgumentException(owner + ": input " + name + " is missing");
        }
        return array;
    }

    /** A floating-point array of the given rank, no axis empty. */
    public static NDArray floating(String owner, String name, NDArray array, int rank) {
        present(owner, name, array);
        if (!array.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be a floating-point array, got "
                            + array.getDataType());
        }
        return rank(owner, name, array, rank);
    }

    /** An integer array (class indices, binary labels) of the given rank. */
    public static NDArray integer(String owner, String name, NDArray array, int rank) {
        present(owner, name, array);
        if (!array.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must be an integer array, got "
                            + array.getDataType());
        }
        return rank(owner, name, array, rank);
    }

    /** The array has exactly {@code rank} axes, none of them empty. */
    public static NDArray rank(String owner, String name, NDArray array, int rank) {
        Shape s = array.getShape();
        if (s.dimension() != rank) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must have rank " + rank + " (" + axes(rank)
                            + "), got shape " + s);
        }
        for (int i = 0; i < rank; i++) {
            if (s.get(i) == 0) {
                throw new IllegalArgumentException(
                        owner + ": " + name + " must not be empty, got shape " + s);
            }
        }
        return array;
    }

    /** Two arrays with identical shapes. */
    public static void sameShape(String owner, String nameA, NDArray a, String nameB, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(
                    owner + ": " + nameA + " and " + nameB + " must have the same shape, got "
                            + a.getShape() + " and " + b.getShape());
        }
    }

    /** {@code array} has {@code n} entries along axis 0, like {@code refName}. */
    public static void rows(String owner, String name, NDArray array, String refName, long n) {
        if (array.getShape().get(0) != n) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must have " + n + " rows like " + refName
                            + ", got shape " + array.getShape());
        }
    }

    /** {@code array} has {@code d} columns (axis 1), like {@code refName}. */
    public static void columns(String owner, String name, NDArray array, String refName, long d) {
        if (array.getShape().get(1) != d) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " must have " + d + " columns like " + refName
                            + ", got shape " + array.getShape());
        }
    }

    /** At least {@code min} rows, with the reason the loss needs them. */
    public static void minRows(String owner, String name, NDArray array, long min, String why) {
        long n = array.getShape().get(0);
        if (n < min) {
            throw new IllegalArgumentException(
                    owner + ": " + name + " needs at least " + min + " rows (" + why + "), got "
                            + n);
        }
    }

    /** Every element of an integer array lies in [lo, hi]. */
    public static void values(String owner, String name, NDArray array, long lo, long hi) {
        for (long x : longs(array)) {
            if (x < lo || x > hi) {
                throw new IllegalArgumentException(
                        owner + ": " + name + " values must lie in [" + lo + ", " + hi
                                + "], got " + x);
            }
        }
    }

    /** Every element is -1 or +1. */
    public static void signs(String owner, String name, NDArray array) {
        for (long x : longs(array)) {
            if (x != -1 && x != 1) {
                throw new IllegalArgumentException(
                        owner + ": " + name + " values must be -1 or +1, got " + x);
            }
        }
    }

    private static long[] longs(NDArray array) {
        return array.toType(DataType.INT64, false).toLongArray();
    }

    private static String axes(int rank) {
        switch (rank) {
            case 1:
                return "N";
            case 2:
                return "N×D";
            default:
                return rank + " axes";
        }
    }
}
