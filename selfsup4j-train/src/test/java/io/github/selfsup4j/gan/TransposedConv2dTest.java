package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The zero-insertion transposed convolution equals PyTorch's ConvTranspose2d, written here from
 * its definition (every input pixel scatters kernel·value into the output), with the kernel
 * re-indexed as the class documents.
 */
class TransposedConv2dTest {

    @ParameterizedTest(name = "k {0}, s {1}, p {2}, side {3}")
    @CsvSource({"4, 2, 1, 3", "4, 2, 1, 7", "3, 2, 1, 4", "3, 1, 0, 4", "4, 2, 2, 5",
        "5, 3, 1, 3"})
    void equalsTheScatterDefinition(int k, int s, int p, int side) {
        int n = 2;
        int in = 3;
        int out = 16;
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = TransposedConv2d.builder().setFilters(out).setKernel(k)
                    .optStride(s).optPadding(p).build();
            Shape inShape = new Shape(n, in, side, side);
            b.initialize(m, DataType.FLOAT64, inShape);
            Random r = new Random(k * 100 + s * 10 + p);
            double[] x = gaussian(r, n * in * side * side);
            Parameter wp = b.getChildren().get(1).getValue().getDirectParameters().get("weight");
            Parameter bp = b.getChildren().get(1).getValue().getDirectParameters().get("bias");
            double[] w = gaussian(r, out * in * k * k); // the inner Conv2d's layout
            double[] bias = gaussian(r, out);
            wp.getArray().set(w);
            bp.getArray().set(bias);
            NDArray y = b.forward(new ParameterStore(m, false),
                    new NDList(m.create(x, inShape)), false).singletonOrThrow();
            int side2 = (side - 1) * s - 2 * p + k;
            assertEquals(new Shape(n, out, side2, side2), y.getShape());
            assertEquals(y.getShape(), b.getOutputShapes(new Shape[] {inShape})[0]);
            double[] expected = new double[n * out * side2 * side2];
            for (int ni = 0; ni < n; ni++) {
                for (int o = 0; o < out; o++) {
                    for (int yy = 0; yy < side2; yy++) {
                        for (int xx = 0; xx < side2; xx++) {
                            expected[((ni * out + o) * side2 + yy) * side2 + xx] = bias[o];
                        }
                    }
                }
            }
            // scatter: input (iy, ix) adds W_T[i][o][a][c]·x to output (iy·s − p + a, ix·s − p + c)
            for (int ni = 0; ni < n; ni++) {
                for (int i = 0; i < in; i++) {
                    for (int iy = 0; iy < side; iy++) {
                        for (int ix = 0; ix < side; ix++) {
                            double v = x[((ni * in + i) * side + iy) * side + ix];
                            for (int o = 0; o < out; o++) {
                                for (int a = 0; a < k; a++) {
                                    for (int c = 0; c < k; c++) {
                                        int oy = iy * s - p + a;
                                        int ox = ix * s - p + c;
                                        if (oy < 0 || ox < 0 || oy >= side2 || ox >= side2) {
                                            continue;
                                        }
                                        double wt = w[((o * in + i) * k + (k - 1 - a)) * k
                                                + (k - 1 - c)];
                                        expected[((ni * out + o) * side2 + oy) * side2 + ox] +=
                                                wt * v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            assertArrayEquals(expected, y.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void dilationPlacesPixelsOnTheStrideGrid() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray d = TransposedConv2d.dilate(x, 2, 1, 1);
            // (2 − 1)·2 + 1 = 3 plus one on each side: 5×5
            assertArrayEquals(new float[] {
                0, 0, 0, 0, 0,
                0, 1, 0, 2, 0,
                0, 0, 0, 0, 0,
                0, 3, 0, 4, 0,
                0, 0, 0, 0, 0}, d.toFloatArray());
            assertEquals(new Shape(1, 1, 5, 5), d.getShape());
        }
    }

    @Test
    void badOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransposedConv2d.builder().setFilters(4).setKernel(4).optStride(2)
                        .optPadding(3).build());
        assertTrue(e.getMessage().contains("padding") && e.getMessage().contains("3"));
        e = assertThrows(IllegalArgumentException.class,
                () -> TransposedConv2d.builder().setKernel(4).build());
        assertTrue(e.getMessage().contains("filters") && e.getMessage().contains("0"));
        e = assertThrows(IllegalArgumentException.class,
                () -> TransposedConv2d.builder().setFilters(4).setKernel(2).optStride(0).build());
        assertTrue(e.getMessage().contains("stride"), e.getMessage());
    }

    private static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

}
