package io.github.selfsup4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Float64 gradient checks: the autograd gradient of a scalar function of named arrays against
 * central finite differences, element by element.
 */
public final class GradCheck {

    private GradCheck() {}

    /** Evaluates {@code f} in float64 without gradients. */
    public static double value(Function<Map<String, NDArray>, NDArray> f, Map<String, Arr> in) {
        try (NDManager m = NDManager.newBaseManager()) {
            return f.apply(toNd(m, in, DataType.FLOAT64)).toType(DataType.FLOAT64, false)
                    .getDouble();
        }
    }

    /** The autograd gradients of {@code f} with respect to every floating input, in float64. */
    public static Map<String, double[]> autograd(
            Function<Map<String, NDArray>, NDArray> f, Map<String, Arr> in, DataType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = toNd(m, in, type);
            for (Map.Entry<String, NDArray> e : nd.entrySet()) {
                if (!in.get(e.getKey()).integer) {
                    e.getValue().setRequiresGradient(true);
                }
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(f.apply(nd));
            }
            Map<String, double[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : nd.entrySet()) {
                if (!in.get(e.getKey()).integer) {
                    out.put(e.getKey(), e.getValue().getGradient()
                            .toType(DataType.FLOAT64, false).toDoubleArray());
                }
            }
            return out;
        }
    }

    /**
     * Asserts that autograd and central differences (step h) agree for every element of every
     * floating input: |a - n| <= tol · max(1, |a|, |n|).
     */
    public static void check(Function<Map<String, NDArray>, NDArray> f, Map<String, Arr> in,
            double h, double tol) {
        Map<String, double[]> grads = autograd(f, in, DataType.FLOAT64);
        for (Map.Entry<String, double[]> e : grads.entrySet()) {
            Arr a = in.get(e.getKey());
            double[] g = e.getValue();
            for (int i = 0; i < a.data.length; i++) {
                double orig = a.data[i];
                a.data[i] = orig + h;
                double plus = value(f, in);
                a.data[i] = orig - h;
                double minus = value(f, in);
                a.data[i] = orig;
                double numeric = (plus - minus) / (2 * h);
                double scale = Math.max(1, Math.max(Math.abs(numeric), Math.abs(g[i])));
                if (!(Math.abs(numeric - g[i]) <= tol * scale)) {
                    fail("gradient of " + e.getKey() + "[" + i + "]: autograd " + g[i]
                            + ", finite difference " + numeric);
                }
            }
        }
    }

    /** Asserts that every gradient is finite. */
    public static void assertFinite(Map<String, double[]> grads) {
        for (Map.Entry<String, double[]> e : grads.entrySet()) {
            for (double v : e.getValue()) {
                assertTrue(Double.isFinite(v), "non-finite gradient in " + e.getKey());
            }
        }
    }

    public static Map<String, NDArray> toNd(NDManager m, Map<String, Arr> in, DataType type) {
        Map<String, NDArray> nd = new LinkedHashMap<>();
        for (Map.Entry<String, Arr> e : in.entrySet()) {
            nd.put(e.getKey(), e.getValue().nd(m, type));
        }
        return nd;
    }
}
