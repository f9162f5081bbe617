package io.github.selfsup4j.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Numerics shared by the losses: dtype promotion that keeps the autograd graph, stable
 * log-sum-exp and softplus, safe L2 normalisation, masks and off-diagonal helpers.
 *
 * <p>All functions are differentiable with exact gradients. Where a constant shift is used for
 * stability (the row maximum in log-sum-exp) it is detached: the result is mathematically
 * independent of the shift, so the gradient is unchanged and no spurious path is recorded.
 */
public final class Ops {

    /** The additive mask value that removes a logit from a log-sum-exp. */
    public static final double MASKED = -1e30;

    /** Default epsilon of {@link #l2Normalize(NDArray, double)}, as PyTorch's. */
    public static final double NORMALIZE_EPS = 1e-12;

    private Ops() {}

    /**
     * The dtype the losses compute in: float64 if any input is float64, float32 otherwise (also
     * for float16 and bfloat16 inputs, whose range is too small for exp/log at low temperature).
     */
    public static DataType computeType(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null && a.getDataType() == DataType.FLOAT64) {
                return DataType.FLOAT64;
            }
        }
        return DataType.FLOAT32;
    }

    /**
     * Casts a floating array to {@code type} without cutting the autograd graph: {@code toType}
     * detaches on the PyTorch engine, but multiplying by a one of the wider type promotes and is
     * differentiable. Integer arrays (labels) carry no gradient and are converted directly.
     */
    public static NDArray promote(NDArray x, DataType type) {
        if (x == null || x.getDataType() == type) {
            return x;
        }
        if (x.getDataType().isFloating()
                && x.getDataType().getNumOfBytes() < type.getNumOfBytes()
                && x.getShape().dimension() > 0) {
            // A 0-dim operand would not promote (PyTorch's type promotion ignores its dtype).
            long[] ones = new long[x.getShape().dimension()];
            java.util.Arrays.fill(ones, 1);
            return x.mul(x.getManager().ones(new Shape(ones), type));
        }
        return x.toType(type, false);
    }

    /**
     * A 0-dim array holding {@code v} in x's dtype, owned by x's manager.
     *
     * <p>Why not {@code x.mul(2.0)}: on the PyTorch engine, DJL's {@code mul}, {@code div},
     * {@code maximum}, {@code minimum} and {@code pow} with a {@code Number} wrap the number in a
     * temporary array backed by a direct buffer and close it at once. Autograd keeps that tensor
     * for the backward pass, and once the garbage collector frees the buffer the gradient reads
     * freed memory (NaN or garbage; see {@code DjlScalarHazardTest}). A scalar owned by the
     * manager lives until the manager closes, after the backward pass. It also keeps float32
     * results float32 (a Java double would make a float64 scalar).
     */
    public static NDArray scalar(NDArray x, double v) {
        return x.getManager().create(v).toType(x.getDataType(), false);
    }

    /** {@code x · s}, safe under autograd (see {@link #scalar}). */
    public static NDArray scale(NDArray x, double s) {
        return x.mul(scalar(x, s));
    }

    /** {@code x / s}, safe under autograd (see {@link #scalar}). */
    public static NDArray divide(NDArray x, double s) {
        return x.div(scalar(x, s));
    }

    /** {@code max(x, lo)} element-wise, safe under autograd (see {@link #scalar}). */
    public static NDArray atLeast(NDArray x, double lo) {
        return x.maximum(scalar(x, lo));
    }

    /** {@code x^p} element-wise, safe under autograd (see {@link #scalar}). */
    public static NDArray power(NDArray x, double p) {
        return x.pow(scalar(x, p));
    }

    /** {@code log(sum(exp(x), axis))}, shifted by the detached maximum along the axis. */
    public static NDArray logSumExp(NDArray x, int axis, boolean keepDims) {
        NDArray m = x.max(new int[] {axis}, true).stopGradient();
        NDArray s = x.sub(m).exp().sum(new int[] {axis}, true).log().add(m);
        return keepDims ? s : s.squeeze(axis);
    }

    /** {@code log(1 + exp(x))} without overflow; its gradient is exactly sigmoid(x). */
    public static NDArray softplus(NDArray x) {
        NDArray m = atLeast(x, 0).stopGradient();
        return m.neg().exp().add(x.sub(m).exp()).log().add(m);
    }

    /** {@code max(x, 0)}. */
    public static NDArray relu(NDArray x) {
        return atLeast(x, 0);
    }

    /**
     * Row-wise {@code x / max(||x||, eps)}, as PyTorch's {@code F.normalize}. The squared norm is
     * clamped before the square root, so a zero row gives a zero output with a finite gradient.
     */
    public static NDArray l2Normalize(NDArray x, double eps) {
        NDArray sq = x.square();
        NDArray n = atLeast(sq.sum(new int[] {1}, true), eps * eps).sqrt();
        sq.close(); // not needed by autograd (it keeps x): frees an N×D temporary at once
        return x.div(n);
    }

    /** {@link #l2Normalize(NDArray, double)} with PyTorch's epsilon. */
    public static NDArray l2Normalize(NDArray x) {
        return l2Normalize(x, NORMALIZE_EPS);
    }

    /** Row-wise Euclidean distance with a finite gradient at zero distance. */
    public static NDArray euclidean(NDArray a, NDArray b) {
        // Clamping the squared distance keeps d >= 1e-12 and its gradient finite when a == b;
        // only distances below 1e-12 change, which no float32 embedding resolves anyway.
        return atLeast(a.sub(b).square().sum(new int[] {1}), 1e-24).sqrt();
    }

    /** A square matrix holding 0 on the diagonal and 1 elsewhere, in {@code type}. */
    public static NDArray offDiagonalMask(NDManager manager, int d, DataType type) {
        return manager.ones(new Shape(d, d), type).sub(manager.eye(d).toType(type, false));
    }

    /** Sum of the squared off-diagonal entries of a square matrix. */
    public static NDArray offDiagonalSquareSum(NDArray c) {
        int d = (int) c.getShape().get(0);
        return c.mul(offDiagonalMask(c.getManager(), d, c.getDataType())).square().sum();
    }

    /** The diagonal of a square matrix as a vector. */
    public static NDArray diagonal(NDArray c) {
        int d = (int) c.getShape().get(0);
        return c.mul(c.getManager().eye(d).toType(c.getDataType(), false)).sum(new int[] {1});
    }

    /** Row-wise dot product of two matrices of the same shape. */
    public static NDArray rowDot(NDArray a, NDArray b) {
        NDArray product = a.mul(b);
        NDArray dot = product.sum(new int[] {1});
        product.close(); // autograd keeps a and b, not the product
        return dot;
    }

    /** Concatenation along axis 0. */
    public static NDArray rows(NDArray... parts) {
        return parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), 0);
    }

    /** Rows {@code [from, to)} of an array. */
    public static NDArray slice(NDArray x, long from, long to) {
        if (from == 0 && to == x.getShape().get(0)) {
            return x;
        }
        return x.get(from + ":" + to);
    }

    /**
     * An additive mask of shape {@code rows × cols} built from a rule on (row, column): 0 where
     * the entry is kept, {@link #MASKED} where it is removed.
     */
    public static NDArray additiveMask(
            NDManager manager, int rows, int cols, DataType type, MaskRule keep) {
        float[] m = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r * cols + c] = keep.keep(r, c) ? 0f : (float) MASKED;
            }
        }
        return manager.create(m, new Shape(rows, cols)).toType(type, false);
    }

    /**
     * An additive mask computed on the device by broadcasting, for the common pattern "leave out
     * entries whose row and column belong to the same group, except one column per row": entry
     * (r, c) is removed when {@code rowGroup[r] == colGroup[c]} and {@code colId[c] !=
     * rowKeep[r]}. Costs O(rows + cols) in Java instead of O(rows · cols).
     */
    public static NDArray groupMask(NDManager manager, int[] rowGroup, int[] colGroup,
            int[] rowKeep, int[] colId, DataType type) {
        int r = rowGroup.length;
        int c = colGroup.length;
        NDArray same = manager.create(rowGroup, new Shape(r, 1))
                .eq(manager.create(colGroup, new Shape(1, c)));
        NDArray kept = manager.create(rowKeep, new Shape(r, 1))
                .eq(manager.create(colId, new Shape(1, c)));
        NDArray removed = same.logicalAnd(kept.logicalNot()).toType(type, false);
        return scale(removed, MASKED);
    }

    /** Which (row, column) entries a mask keeps. */
    @FunctionalInterface
    public interface MaskRule {
        /** Whether entry (row, col) takes part. */
        boolean keep(int row, int col);
    }
}
