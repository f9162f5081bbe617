package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv2dTranspose;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Spectral normalisation: σ converges to the largest singular value (computed here by power
 * iteration on WᵀW), the forward is x·(W/σ)ᵀ + b with σ from one power step in plain Java, the
 * gradient matches float64 finite differences with u and v fixed, inference leaves u and v
 * alone, checkpoints carry them, and no array accumulates over steps.
 */
class SpectralNormTest {

    private static SpectralNorm linear(NDManager m, int in, int out, DataType type, long seed) {
        SpectralNorm sn = SpectralNorm.builder().setLayer(Linear.builder().setUnits(out).build())
                .optSeed(seed).build();
        sn.initialize(m, type, new Shape(2, in));
        return sn;
    }

    private static SpectralNorm conv(NDManager m, DataType type) {
        // 16 filters: PyTorch 2.7.1's CPU conv backward misbehaves with 8 channels
        SpectralNorm sn = SpectralNorm.of(Conv2d.builder().setKernelShape(new Shape(3, 3))
                .setFilters(16).optStride(new Shape(2, 2)).optPadding(new Shape(1, 1)).build());
        sn.initialize(m, type, new Shape(2, 3, 5, 5));
        return sn;
    }

    private static Parameter param(SpectralNorm sn, String name) {
        return sn.layer().getDirectParameters().get(name);
    }

    private static double[] setRandom(Parameter p, Random r) {
        double[] w = new double[Math.toIntExact(p.getArray().size())];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        set(p.getArray(), w);
        return w;
    }

    private static void set(NDArray a, double[] values) {
        if (a.getDataType() == DataType.FLOAT64) {
            a.set(values);
        } else {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            a.set(f);
        }
    }

    private static NDArray forward(SpectralNorm sn, NDArray x, boolean training) {
        return sn.forward(new ParameterStore(x.getManager(), false), new NDList(x), training)
                .singletonOrThrow();
    }

    /** A training forward in a sub-manager that is closed at once (updates u and v). */
    private static void trainingForward(SpectralNorm sn, NDManager m, Shape inputShape) {
        try (NDManager step = m.newSubManager()) {
            forward(sn, step.randomNormal(inputShape, sn.u().getDataType()), true);
        }
    }

    /** The largest singular value of a rows×cols matrix: √ of WᵀW's top eigenvalue. */
    static double largestSingularValue(double[] w, int rows, int cols) {
        double[] x = new double[cols];
        java.util.Arrays.fill(x, 1);
        double lambda = 0;
        for (int it = 0; it < 20000; it++) {
            double[] wx = new double[rows];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    wx[i] += w[i * cols + j] * x[j];
                }
            }
            double[] y = new double[cols];
            for (int j = 0; j < cols; j++) {
                for (int i = 0; i < rows; i++) {
                    y[j] += w[i * cols + j] * wx[i];
                }
            }
            lambda = Math.sqrt(dot(y, y));
            for (int j = 0; j < cols; j++) {
                x[j] = y[j] / lambda;
            }
        }
        return Math.sqrt(lambda);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] unit(double[] a) {
        double n = Math.max(Math.sqrt(dot(a, a)), 1e-12);
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / n;
        }
        return r;
    }

    @Test
    void sigmaConvergesToTheLargestSingularValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(1);
            SpectralNorm lin = linear(m, 5, 7, DataType.FLOAT64, 0);
            double[] wl = setRandom(param(lin, "weight"), r);
            SpectralNorm cv = conv(m, DataType.FLOAT32);
            double[] wc = setRandom(param(cv, "weight"), r);
            double before = lin.sigma();
            for (int i = 0; i < 300; i++) {
                trainingForward(lin, m, new Shape(2, 5));
                trainingForward(cv, m, new Shape(2, 3, 5, 5));
            }
            double trueLinear = largestSingularValue(wl, 7, 5);
            double trueConv = largestSingularValue(wc, 16, 27);
            System.out.printf("spectral norm: linear σ %.6f (true %.6f, before %.4f), conv σ %.6f"
                    + " (true %.6f)%n", lin.sigma(), trueLinear, before, cv.sigma(), trueConv);
            assertEquals(trueLinear, lin.sigma(), 1e-9 * trueLinear);
            assertEquals(trueConv, cv.sigma(), 1e-5 * trueConv, "float32");
            assertTrue(Math.abs(before - trueLinear) > 1e-3, "the estimate had to converge");
        }
    }

    @Test
    void handCaseSigmaIsThree() {
        try (NDManager m = NDManager.newBaseManager()) {
            // [[1, 2], [2, 1]] has eigenvalues 3 and −1: σ = 3
            SpectralNorm sn = linear(m, 2, 2, DataType.FLOAT64, 5);
            set(param(sn, "weight").getArray(), new double[] {1, 2, 2, 1});
            set(param(sn, "bias").getArray(), new double[] {0.5, -1});
            for (int i = 0; i < 60; i++) {
                trainingForward(sn, m, new Shape(2, 2));
            }
            assertEquals(3, sn.sigma(), 1e-12);
            NDArray y = forward(sn, m.create(new double[] {3, 0, 1, -1}, new Shape(2, 2)), false);
            // x·(W/3)ᵀ + b: (3, 0) → (1, 2) + b; (1, −1) → (−1/3, 1/3) + b
            assertArrayEquals(new double[] {1.5, 1, -1.0 / 3 + 0.5, 1.0 / 3 - 1},
                    y.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void forwardIsXTimesTheNormalisedWeightPlusBias() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(2);
            int in = 4;
            int out = 3;
            SpectralNorm sn = linear(m, in, out, DataType.FLOAT64, 7);
            double[] w = setRandom(param(sn, "weight"), r);
            double[] b = setRandom(param(sn, "bias"), r);
            double[] u0 = sn.u().toDoubleArray();
            double[] x = new double[2 * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            NDArray y = forward(sn, m.create(x, new Shape(2, in)), true);
            // one power step in plain Java from the stored u
            double[] v = new double[in];
            for (int j = 0; j < in; j++) {
                for (int i = 0; i < out; i++) {
                    v[j] += w[i * in + j] * u0[i];
                }
            }
            v = unit(v);
            double[] wv = new double[out];
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < in; j++) {
                    wv[i] += w[i * in + j] * v[j];
                }
            }
            double[] u1 = unit(wv);
            double sigma = dot(u1, wv);
            double[] expected = new double[2 * out];
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < out; i++) {
                    double s = b[i];
                    for (int j = 0; j < in; j++) {
                        s += x[n * in + j] * w[i * in + j] / sigma;
                    }
                    expected[n * out + i] = s;
                }
            }
            assertArrayEquals(expected, y.toDoubleArray(), 1e-12);
            assertArrayEquals(u1, sn.u().toDoubleArray(), 1e-12, "stored u");
            assertArrayEquals(v, sn.v().toDoubleArray(), 1e-12, "stored v");
            assertEquals(sigma, sn.sigma(), 1e-12);
            // inference: no update, the same σ
            NDArray again = forward(sn, m.create(x, new Shape(2, in)), false);
            assertArrayEquals(expected, again.toDoubleArray(), 1e-12);
            assertArrayEquals(u1, sn.u().toDoubleArray(), 0, "inference leaves u alone");
            assertArrayEquals(v, sn.v().toDoubleArray(), 0, "inference leaves v alone");
        }
    }

    @Test
    void convolutionUsesTheNormalisedWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(3);
            SpectralNorm sn = conv(m, DataType.FLOAT64);
            double[] w = setRandom(param(sn, "weight"), r);
            setRandom(param(sn, "bias"), r);
            NDArray x = m.randomNormal(new Shape(2, 3, 5, 5), DataType.FLOAT64);
            NDArray y = forward(sn, x, true);
            double sigma = sn.sigma();
            double[] scaled = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                scaled[i] = w[i] / sigma;
            }
            Conv2d c = (Conv2d) sn.layer();
            NDArray expected = Conv2d.conv2d(x, m.create(scaled, new Shape(16, 3, 3, 3)),
                    param(sn, "bias").getArray(), c.getStride(), c.getPadding(),
                    c.getDilation(), c.getGroups()).singletonOrThrow();
            assertEquals(new Shape(2, 16, 3, 3), y.getShape());
            assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesWithUAndVFixed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(4);
            SpectralNorm lin = linear(m, 4, 3, DataType.FLOAT64, 1);
            setRandom(param(lin, "weight"), r);
            setRandom(param(lin, "bias"), r);
            gradCheck(lin, m.randomNormal(new Shape(2, 4), DataType.FLOAT64), r);
            SpectralNorm cv = conv(m, DataType.FLOAT64);
            setRandom(param(cv, "weight"), r);
            setRandom(param(cv, "bias"), r);
            gradCheck(cv, m.randomNormal(new Shape(2, 3, 5, 5), DataType.FLOAT64), r);
        }
    }

    /**
     * The autograd gradient of Σ g ⊙ f(x) after a training forward in a gradient collector
     * (which moves u and v one power step), against central differences of the inference
     * forward, which uses the stored u and v: σ's gradient with u and v constant.
     */
    private static void gradCheck(SpectralNorm sn, NDArray x, Random r) {
        NDManager m = x.getManager();
        Shape outShape = sn.getOutputShapes(new Shape[] {x.getShape()})[0];
        double[] gv = new double[Math.toIntExact(outShape.size())];
        for (int i = 0; i < gv.length; i++) {
            gv[i] = r.nextGaussian();
        }
        NDArray g = m.create(gv, outShape);
        x.setRequiresGradient(true);
        double[] uBefore = sn.u().toDoubleArray();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(forward(sn, x, true).mul(g).sum());
        }
        assertFalse(java.util.Arrays.equals(uBefore, sn.u().toDoubleArray()), "u moved");
        double h = 1e-6;
        int checked = 0;
        for (Pair<String, Parameter> p : sn.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (!p.getValue().requiresGradient()) {
                assertTrue(p.getKey().equals("u") || p.getKey().equals("v"), p.getKey());
                continue;
            }
            double[] grad = a.getGradient().toDoubleArray();
            double[] w = a.toDoubleArray();
            for (int i = 0; i < w.length; i++) {
                double orig = w[i];
                w[i] = orig + h;
                set(a, w);
                double plus = objective(sn, x, g);
                w[i] = orig - h;
                set(a, w);
                double minus = objective(sn, x, g);
                w[i] = orig;
                set(a, w);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, grad[i], 1e-6 * Math.max(1, Math.abs(numeric)),
                        p.getKey() + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 10);
        assertTrue(Double.isFinite(x.getGradient().sum().getDouble()));
        x.setRequiresGradient(false);
    }

    private static double objective(SpectralNorm sn, NDArray x, NDArray g) {
        try (NDManager step = x.getManager().newSubManager()) {
            NDArray xs = x.stopGradient();
            xs.attach(step);
            return forward(sn, xs, false).mul(g).sum().getDouble();
        }
    }

    @Test
    void vectorsAreNotTrainedAndCheckpointsCarryThem() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            SpectralNorm sn = conv(m, DataType.FLOAT32);
            setRandom(param(sn, "weight"), new Random(5));
            for (int i = 0; i < 5; i++) {
                trainingForward(sn, m, new Shape(2, 3, 5, 5));
            }
            for (Pair<String, Parameter> p : sn.getParameters()) {
                boolean vector = p.getKey().equals("u") || p.getKey().equals("v");
                assertEquals(!vector, p.getValue().requiresGradient(), p.getKey());
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            sn.saveParameters(new DataOutputStream(bytes));
            SpectralNorm copy = SpectralNorm.builder().setLayer(Conv2d.builder()
                    .setKernelShape(new Shape(3, 3)).setFilters(16).optStride(new Shape(2, 2))
                    .optPadding(new Shape(1, 1)).build()).optSeed(99).build();
            copy.initialize(m, DataType.FLOAT32, new Shape(2, 3, 5, 5));
            assertFalse(java.util.Arrays.equals(sn.u().toFloatArray(), copy.u().toFloatArray()));
            copy.loadParameters(m, new DataInputStream(new ByteArrayInputStream(
                    bytes.toByteArray())));
            assertArrayEquals(sn.u().toFloatArray(), copy.u().toFloatArray(), 0);
            assertArrayEquals(sn.v().toFloatArray(), copy.v().toFloatArray(), 0);
            NDArray x = m.randomNormal(new Shape(2, 3, 5, 5));
            assertArrayEquals(forward(sn, x, false).toFloatArray(),
                    forward(copy, x, false).toFloatArray(), 0);
        }
    }

    @Test
    void noArraysAccumulateAcrossTrainingSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block[] blocks = {linear(m, 6, 4, DataType.FLOAT32, 0), conv(m, DataType.FLOAT32)};
            Shape[] shapes = {new Shape(8, 6), new Shape(8, 3, 5, 5)};
            for (int k = 0; k < 2; k++) {
                SpectralNorm sn = (SpectralNorm) blocks[k];
                int[] live = new int[3];
                for (int round = 0; round < 3; round++) {
                    for (int step = 0; step < 10; step++) {
                        try (NDManager s = m.newSubManager();
                                GradientCollector gc =
                                        Engine.getInstance().newGradientCollector()) {
                            NDArray y = forward(sn, s.randomNormal(shapes[k]), true);
                            gc.backward(y.square().sum());
                        }
                    }
                    live[round] = ((BaseNDManager) m).getManagedArrays().size();
                }
                assertEquals(live[0], live[2], "live arrays after 10 and 30 steps");
                assertTrue(Float.isFinite(param(sn, "weight").getArray().getGradient().sum()
                        .getFloat()));
            }
        }
    }

    @Test
    void badOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpectralNorm.of(Conv2dTranspose.builder().setKernelShape(new Shape(2, 2))
                        .setFilters(16).build()));
        assertTrue(e.getMessage().contains("Conv2dTranspose"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpectralNorm.of(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpectralNorm.builder()
                .setLayer(Linear.builder().setUnits(2).build()).optIterations(0).build());
        assertTrue(e.getMessage().contains("iterations") && e.getMessage().contains("0"));
    }
}
