package io.github.selfsup4j.loss.classic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.GradCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code nll} and {@code cross-entropy} pick the target entry instead of multiplying by a one-hot,
 * so a very negative non-target score (−1e300 in float64, −∞ once cast to float32, or −∞ itself)
 * gives PyTorch's {@code F.nll_loss} / {@code F.cross_entropy} result instead of NaN (−∞·0). The
 * reference is plain Java in double, where exp(−∞) = 0 as in PyTorch's log_softmax. With label
 * smoothing ε > 0 and a score of −∞ the value is +∞, as in PyTorch (the smoothed target puts
 * ε/C on a class of probability 0), while the gradient stays finite, also as in PyTorch:
 * (softmax − (1−ε)·onehot − ε/C)/N.
 */
class TargetPickTest {

    static final double[][] SCORES = {{2.0, -1e300, 0.5}, {-1e300, 1.0, -1e300},
        {0.3, 0.1, -1e300}, {-0.7, -1e300, 1.2}};
    static final long[] TARGET = {0, 1, 1, 2};

    /** −1e300 as the dtype holds it: −∞ in float32, and −∞ itself when asked for. */
    static double[][] scores(DataType type, boolean infinite) {
        double[][] x = new double[SCORES.length][];
        for (int i = 0; i < x.length; i++) {
            x[i] = SCORES[i].clone();
            for (int j = 0; j < x[i].length; j++) {
                if (x[i][j] == -1e300 && infinite) {
                    x[i][j] = Double.NEGATIVE_INFINITY;
                }
                if (type == DataType.FLOAT32) {
                    x[i][j] = (float) x[i][j];
                }
            }
        }
        return x;
    }

    static double[] logSoftmax(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - m);
        }
        double lse = m + Math.log(s);
        double[] out = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = x[j] - lse;
        }
        return out;
    }

    static Map<String, Arr> inputs(String scoreName, double[][] x) {
        Map<String, Arr> in = new LinkedHashMap<>();
        in.put(scoreName, Arr.mat(x));
        in.put("target", Arr.ints(TARGET));
        return in;
    }

    /** The value and the gradient of {@code loss} on {@code in}, in {@code type}. */
    static double[][] valueAndGradient(SelfSupLoss loss, String scoreName, Map<String, Arr> in,
            DataType type) {
        double[] value = new double[1];
        Map<String, double[]> g = GradCheck.autograd(m -> {
            NDArray v = loss.forward(m).value();
            value[0] = v.toType(DataType.FLOAT64, false).getDouble();
            return v;
        }, in, type);
        return new double[][] {value, g.get(scoreName)};
    }

    static void assertClose(double expected, double actual, double rel, String what) {
        if (Double.isInfinite(expected)) {
            assertEquals(expected, actual, what);
            return;
        }
        assertTrue(Double.isFinite(actual), what + ": " + actual);
        assertEquals(expected, actual, rel * Math.max(1, Math.abs(expected)), what);
    }

    @ParameterizedTest(name = "{0} infinite={1}")
    @CsvSource({"float64,false", "float64,true", "float32,false"})
    void nllPicksTheTargetEntry(String dtype, boolean infinite) {
        DataType type = DataType.valueOf(dtype.toUpperCase());
        double[][] x = scores(type, infinite);
        int n = x.length;
        double expected = 0;
        for (int i = 0; i < n; i++) {
            expected -= x[i][(int) TARGET[i]] / n;
        }
        double[][] got = valueAndGradient(LossRegistry.create("nll", Map.of()), "log_probs",
                inputs("log_probs", x), type);
        double rel = type == DataType.FLOAT64 ? 1e-12 : 1e-6;
        assertClose(expected, got[0][0], rel, "nll value");
        int c = x[0].length;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                assertClose(j == TARGET[i] ? -1.0 / n : 0, got[1][i * c + j], rel,
                        "d nll / d log_probs[" + i + "][" + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "{0} infinite={1} ε={2}")
    @CsvSource({"float64,false,0", "float64,true,0", "float32,false,0", "float64,false,0.1",
        "float64,true,0.1", "float32,false,0.1", "float64,true,1"})
    void crossEntropyMatchesLogSoftmaxWithVeryNegativeLogits(String dtype, boolean infinite,
            double smoothing) {
        DataType type = DataType.valueOf(dtype.toUpperCase());
        double[][] x = scores(type, infinite);
        int n = x.length;
        int c = x[0].length;
        double expected = 0;
        double[] grad = new double[n * c];
        for (int i = 0; i < n; i++) {
            double[] lp = logSoftmax(x[i]);
            double row = -(1 - smoothing) * lp[(int) TARGET[i]];
            for (int j = 0; j < c; j++) {
                if (smoothing > 0) { // PyTorch adds no smoothing term at ε = 0 (0·−∞)
                    row -= smoothing / c * lp[j];
                }
                grad[i * c + j] = (Math.exp(lp[j]) - (j == TARGET[i] ? 1 - smoothing : 0)
                        - smoothing / c) / n;
            }
            expected += row / n;
        }
        if (infinite && smoothing > 0) {
            assertEquals(Double.POSITIVE_INFINITY, expected, "PyTorch's value is +inf here too");
        }
        double[][] got = valueAndGradient(LossRegistry.create("cross-entropy",
                Map.of("label_smoothing", smoothing)), "logits", inputs("logits", x), type);
        double rel = type == DataType.FLOAT64 ? 1e-12 : 1e-6;
        assertClose(expected, got[0][0], rel, "cross-entropy value");
        for (int k = 0; k < grad.length; k++) {
            assertClose(grad[k], got[1][k], rel, "d ce / d logits[" + k / c + "][" + k % c + "]");
        }
    }
}
