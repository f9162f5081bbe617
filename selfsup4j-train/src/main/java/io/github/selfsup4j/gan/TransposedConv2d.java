package io.github.selfsup4j.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;

/**
 * A 2-D transposed convolution (a "fractionally-strided" convolution, as DCGAN's generator
 * uses) built from a zero-insertion step and an ordinary {@link Conv2d}: DJL's {@code
 * Conv2dTranspose} throws "Not implemented" on the PyTorch engine (0.36.0).
 *
 * <p>A transposed convolution with kernel k, stride s and padding p equals: insert s − 1 zeros
 * between neighbouring inputs, pad k − 1 − p zeros on each side, convolve with stride 1 and the
 * kernel flipped in space with its input and output channels swapped (Dumoulin and Visin 2016,
 * "A guide to convolution arithmetic"). The kernel is learned, so the flip and swap are only a
 * re-indexing: the inner Conv2d's weight W (out×in×k×k) is PyTorch's {@code ConvTranspose2d}
 * weight W_T (in×out×k×k) with W[o][i][a][b] = W_T[i][o][k−1−a][k−1−b]. Output side: (H − 1)·s
 * − 2p + k. The convolution runs over the zero-filled input, about s² times the multiply-adds of
 * a native transposed convolution.
 */
public final class TransposedConv2d {

    private TransposedConv2d() {}

    /** A builder; {@link Builder#setFilters} and {@link Builder#setKernel} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Inserts {@code stride − 1} zeros between neighbouring pixels of x (N×C×H×W) and pads the
     * result to low + (H − 1)·stride + 1 + high rows (and likewise columns), low zeros before
     * and high after; high >= 0 after the stride − 1 trailing zeros the insertion leaves.
     */
    static NDArray dilate(NDArray x, int stride, int low, int high) {
        NDArray y = x;
        if (stride > 1) {
            Shape s = x.getShape();
            long n = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            NDList cols = new NDList(x);
            NDArray zeros = x.zerosLike();
            for (int i = 1; i < stride; i++) {
                cols.add(zeros);
            }
            // (N, C, H, W, s) → (N, C, H, W·s): each pixel followed by s − 1 zeros
            NDArray wide = NDArrays.stack(cols, 4).reshape(n, c, h, w * stride);
            NDList rows = new NDList(wide);
            NDArray zeroRows = wide.zerosLike();
            for (int i = 1; i < stride; i++) {
                rows.add(zeroRows);
            }
            y = NDArrays.stack(rows, 3).reshape(n, c, h * stride, w * stride);
        }
        int trailing = stride - 1;
        // PyTorch's pad order: last axis (before, after), then the one before it
        return y.pad(new Shape(low, high - trailing, low, high - trailing), 0.0);
    }

    /** Builds a transposed convolution. */
    public static final class Builder {
        private int filters;
        private int kernel;
        private int stride = 1;
        private int padding;
        private boolean bias = true;

        private Builder() {}

        /** Output channels (required, >= 1). */
        public Builder setFilters(int filters) {
            this.filters = filters;
            return this;
        }

        /** The square kernel's side k (required, >= 1). */
        public Builder setKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /** The stride s (default 1). */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /** The padding p, as PyTorch's ConvTranspose2d (default 0; p <= k − s). */
        public Builder optPadding(int padding) {
            this.padding = padding;
            return this;
        }

        /** Whether the layer has a bias (default true). */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** Checks the options and builds the layer: zero insertion, then a Conv2d. */
        public SequentialBlock build() {
            if (filters < 1) {
                throw new IllegalArgumentException("transposed-conv: filters must be >= 1, got "
                        + filters);
            }
            if (kernel < 1) {
                throw new IllegalArgumentException("transposed-conv: kernel must be >= 1, got "
                        + kernel);
            }
            if (stride < 1) {
                throw new IllegalArgumentException("transposed-conv: stride must be >= 1, got "
                        + stride);
            }
            if (padding < 0 || padding > kernel - stride) {
                throw new IllegalArgumentException("transposed-conv: padding must be in [0, "
                        + "kernel - stride] = [0, " + (kernel - stride) + "], got " + padding);
            }
            int s = stride;
            int edge = kernel - 1 - padding;
            return new SequentialBlock()
                    .add(LambdaBlock.singleton(x -> dilate(x, s, edge, edge), "dilate"))
                    .add(Conv2d.builder().setKernelShape(new Shape(kernel, kernel))
                            .setFilters(filters).optBias(bias).build());
        }
    }
}
