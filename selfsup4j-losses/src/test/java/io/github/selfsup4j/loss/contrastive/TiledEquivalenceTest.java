package io.github.selfsup4j.loss.contrastive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.GradCheck;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The tiled implementations give the dense values and gradients for every option. */
class TiledEquivalenceTest {

    static Stream<Arguments> ntXent() {
        return Stream.of(
                Arguments.of(1, 0.5, 7, 5), Arguments.of(1, 0.1, 9, 4), Arguments.of(2, 0.5, 6, 5),
                Arguments.of(3, 0.2, 4, 7), Arguments.of(1, 0.05, 16, 16),
                Arguments.of(2, 0.3, 10, 3), Arguments.of(1, 0.5, 5, 100),
                // past the unshifted range of float32 (1/τ > 40), then of float64 (1/τ > 300):
                // the running-maximum pass
                Arguments.of(1, 0.02, 9, 4), Arguments.of(2, 0.002, 6, 5));
    }

    static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void assertSame(Map<String, Object> options, Map<String, Arr> in) {
        SelfSupLoss dense = LossRegistry.create(options.get("loss").toString(),
                with(strip(options), "impl", "dense"));
        SelfSupLoss tiled = LossRegistry.create(options.get("loss").toString(),
                with(strip(options), "impl", "tiled"));
        SelfSupLoss auto = LossRegistry.create(options.get("loss").toString(),
                with(strip(options), "memory_budget_mb", 1e-6));
        for (DataType t : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
            double tol = t == DataType.FLOAT64 ? 1e-10 : 2e-5;
            double[] vd = new double[1];
            double[] vt = new double[1];
            double[] va = new double[1];
            Map<String, double[]> gd = GradCheck.autograd(fn(dense, vd), in, t);
            Map<String, double[]> gt = GradCheck.autograd(fn(tiled, vt), in, t);
            Map<String, double[]> ga = GradCheck.autograd(fn(auto, va), in, t);
            assertEquals(vd[0], vt[0], tol * Math.max(1, Math.abs(vd[0])), "value " + options);
            assertEquals(vt[0], va[0], 0, "auto picks tiles under a tiny budget");
            for (String k : gd.keySet()) {
                double[] a = gd.get(k);
                double[] b = gt.get(k);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], tol * 10, k + "[" + i + "] " + options + " " + t);
                    assertEquals(b[i], ga.get(k)[i], 0);
                }
            }
        }
    }

    static Map<String, Object> strip(Map<String, Object> o) {
        Map<String, Object> m = new HashMap<>(o);
        m.remove("loss");
        return m;
    }

    static Function<Map<String, NDArray>, NDArray> fn(SelfSupLoss loss, double[] value) {
        return m -> {
            NDArray v = loss.forward(m).value();
            value[0] = v.toType(DataType.FLOAT64, false).getDouble();
            return v;
        };
    }

    @ParameterizedTest(name = "P={0} τ={1} N={2} tile={3}")
    @MethodSource("ntXent")
    void ntXentTiledEqualsDense(int p, double tau, int samples, int tile) {
        Random r = new Random(samples * 31 + tile);
        Map<String, Arr> in = new LinkedHashMap<>();
        in.put("z_i", Arr.gaussian(r, samples * p, 6));
        in.put("z_j", Arr.gaussian(r, samples * p, 6));
        assertSame(Map.of("loss", "nt-xent", "pairs_per_sample", p, "temperature", tau,
                "tile_size", tile), in);
    }

    /**
     * Tile sizes around and far beyond the logits' side (n rows, c columns), up to
     * Integer.MAX_VALUE, where the tile count once overflowed (the loss was −∞, the gradients
     * zero).
     */
    static Stream<Arguments> anyTileSize() {
        Stream.Builder<Arguments> s = Stream.builder();
        // loss, pairs per sample (nt-xent) or queue length (info-nce), samples or queries
        Object[][] configs = {{"nt-xent", 1, 5}, {"nt-xent", 2, 3}, {"info-nce", 0, 7},
            {"info-nce", 4, 7}};
        for (Object[] c : configs) {
            int n = c[0].equals("nt-xent") ? 2 * (int) c[1] * (int) c[2] : (int) c[2];
            int cols = c[0].equals("nt-xent") ? n : n + (int) c[1];
            java.util.TreeSet<Integer> tiles = new java.util.TreeSet<>(java.util.List.of(1, 3,
                    n - 1, n, n + 1, cols - 1, cols, cols + 1, Integer.MAX_VALUE - 1,
                    Integer.MAX_VALUE));
            for (int t : tiles) {
                s.add(Arguments.of(c[0], c[1], c[2], t));
            }
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} P/K={1} N={2} tile={3}")
    @MethodSource("anyTileSize")
    void anyTileSizeGivesTheDenseResult(String loss, int pOrQueue, int samples, int tile) {
        Random r = new Random(samples * 13 + pOrQueue);
        Map<String, Arr> in = new LinkedHashMap<>();
        if (loss.equals("nt-xent")) {
            in.put("z_i", Arr.gaussian(r, samples * pOrQueue, 4));
            in.put("z_j", Arr.gaussian(r, samples * pOrQueue, 4));
            assertSame(Map.of("loss", loss, "pairs_per_sample", pOrQueue, "temperature", 0.3,
                    "tile_size", tile), in);
        } else {
            in.put("query", Arr.gaussian(r, samples, 4));
            in.put("key", Arr.gaussian(r, samples, 4));
            if (pOrQueue > 0) {
                in.put("queue", Arr.gaussian(r, pOrQueue, 4));
            }
            assertSame(Map.of("loss", loss, "temperature", 0.3, "tile_size", tile), in);
        }
    }

    static Stream<Arguments> infoNce() {
        return Stream.of(Arguments.of(7, 11, 4, true, 0.2), Arguments.of(7, 11, 4, false, 0.2),
                Arguments.of(9, 0, 4, true, 0.2), Arguments.of(5, 3, 16, true, 0.2),
                Arguments.of(8, 20, 8, true, 0.2), Arguments.of(6, 0, 5, false, 0.2),
                Arguments.of(7, 11, 4, true, 0.02), Arguments.of(7, 11, 4, true, 0.002));
    }

    @ParameterizedTest(name = "N={0} K={1} tile={2} normalize={3} τ={4}")
    @MethodSource("infoNce")
    void infoNceTiledEqualsDense(int n, int k, int tile, boolean normalize, double tau) {
        Random r = new Random(n * 7 + k);
        Map<String, Arr> in = new LinkedHashMap<>();
        double scale = normalize ? 1 : 0.3;
        in.put("query", scaled(Arr.gaussian(r, n, 5), scale));
        in.put("key", scaled(Arr.gaussian(r, n, 5), scale));
        if (k > 0) {
            in.put("queue", scaled(Arr.gaussian(r, k, 5), scale));
        }
        assertSame(Map.of("loss", "info-nce", "temperature", tau, "tile_size", tile,
                "normalize", normalize), in);
    }

    @ParameterizedTest(name = "P={0} τ={1} N={2} tile={3}")
    @MethodSource("ntXent")
    void tiledGradientMatchesFiniteDifferences(int p, double tau, int samples, int tile) {
        if (samples > 9) {
            return; // the small cases suffice for the finite-difference check
        }
        Random r = new Random(5);
        Map<String, Arr> in = new LinkedHashMap<>();
        in.put("z_i", Arr.gaussian(r, samples * p, 3));
        in.put("z_j", Arr.gaussian(r, samples * p, 3));
        SelfSupLoss tiled = LossRegistry.create("nt-xent", Map.of("impl", "tiled",
                "tile_size", tile, "pairs_per_sample", p, "temperature", Math.max(tau, 0.2)));
        GradCheck.check(m -> tiled.forward(m).value(), in, 1e-6, 1e-6);
    }

    /**
     * The unit-row pass (no running maximum) and the general pass agree on the same unit rows,
     * symmetric or not, with and without a mask, in both dtypes; each covers what the other
     * skips.
     */
    @ParameterizedTest(name = "symmetric={0} masked={1}")
    @org.junit.jupiter.params.provider.CsvSource({"true,false", "true,true", "false,false",
        "false,true"})
    void unitPassEqualsRunningMaximumPass(boolean symmetric, boolean masked) {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (DataType t : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                Random r = new Random(11);
                int n = 13;
                int kc = symmetric ? n : 17;
                NDArray q = unitRows(m, r, n, 6, t);
                NDArray k = symmetric ? q : unitRows(m, r, kc, 6, t);
                NDArray pos = m.randomNormal(new ai.djl.ndarray.types.Shape(n)).toType(t, false);
                TiledSoftmax.Mask mask = (mgr, r0, r1, c0, c1, type) -> masked
                        ? io.github.selfsup4j.numerics.Ops.additiveMask(mgr, r1 - r0, c1 - c0,
                                type, (a, c) -> r0 + a != c0 + c)
                        : null;
                double tau = 0.07;
                TiledSoftmax.Result unit = TiledSoftmax.compute(q, k, pos, mask, tau, 4,
                        symmetric, true, m);
                TiledSoftmax.Result general = TiledSoftmax.compute(q, k, pos, mask, tau, 4,
                        symmetric, false, m);
                double tol = t == DataType.FLOAT64 ? 1e-12 : 1e-5;
                assertEquals(general.loss(), unit.loss(), tol * Math.abs(general.loss()));
                assertClose(general.gradRows(), unit.gradRows(), tol);
                if (!symmetric) {
                    assertClose(general.gradCols(), unit.gradCols(), tol);
                }
            }
        }
    }

    static NDArray unitRows(ai.djl.ndarray.NDManager m, Random r, int rows, int d, DataType t) {
        double[] x = new double[rows * d];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = r.nextGaussian();
                norm += x[i * d + j] * x[i * d + j];
            }
            for (int j = 0; j < d; j++) {
                x[i * d + j] /= Math.sqrt(norm);
            }
        }
        return m.create(x, new ai.djl.ndarray.types.Shape(rows, d)).toType(t, false);
    }

    static void assertClose(NDArray expected, NDArray actual, double tol) {
        double[] a = expected.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] b = actual.toType(DataType.FLOAT64, false).toDoubleArray();
        assertEquals(a.length, b.length);
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], tol * scale, "gradient[" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @org.junit.jupiter.params.provider.CsvSource({"nt-xent,tile_size,0", "nt-xent,impl,sparse",
        "nt-xent,memory_budget_mb,NaN", "info-nce,tile_size,-3", "info-nce,impl,''",
        "info-nce,memory_budget_mb,0"})
    void badTilingOptionsNameTheLossAndTheOption(String loss, String option, String value) {
        Object v = option.equals("impl") ? value
                : option.equals("tile_size") ? (Object) Integer.valueOf(value)
                : (Object) Double.valueOf(value);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> LossRegistry.create(loss, Map.of(option, v)));
        String msg = e.getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(msg.contains(loss)
                && msg.contains(option.equals("impl") ? "impl" : option), msg);
    }

    static Arr scaled(Arr a, double s) {
        double[] d = a.data.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] *= s;
        }
        return Arr.of(a.shape, d);
    }
}
