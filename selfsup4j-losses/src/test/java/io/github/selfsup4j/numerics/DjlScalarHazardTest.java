package io.github.selfsup4j.numerics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.Cases;
import io.github.selfsup4j.testing.Cases.Case;
import io.github.selfsup4j.testing.GradCheck;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On the PyTorch engine, DJL's {@code mul/div/maximum/minimum/pow(Number)} keep a tensor over a
 * direct buffer that is freed once garbage-collected, while autograd still needs it: a garbage
 * collection between forward and backward corrupts the gradient. The library never uses those
 * overloads on a graph path ({@link Ops#scalar}); these tests hold it to that.
 */
class DjlScalarHazardTest {

    /** Collects garbage and recycles direct buffers with NaN, as a busy training loop would. */
    static void pressure() {
        System.gc();
        for (int k = 0; k < 64; k++) {
            ByteBuffer b = ByteBuffer.allocateDirect(16);
            b.putDouble(0, Double.NaN);
            b.putDouble(8, Double.NaN);
        }
    }

    static float gradientUnderPressure(Function<NDArray, NDArray> f) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                pressure();
                gc.backward(y);
            }
            return x.getGradient().getFloat(0);
        }
    }

    @Test
    void opsScalarHelpersSurviveGarbageCollection() {
        for (int i = 0; i < 20; i++) {
            assertEquals(3f, gradientUnderPressure(x -> Ops.scale(x, 3.0)));
            assertEquals(2f, gradientUnderPressure(x -> Ops.divide(x, 0.5)));
            assertEquals(5f, gradientUnderPressure(x -> Ops.atLeast(x, 5.0).mul(x)));
            assertEquals(2f, gradientUnderPressure(x -> Ops.power(x, 2.0)));
            assertEquals(0.5f, gradientUnderPressure(x -> Ops.softplus(x.sub(1.0))), 1e-6f);
        }
    }

    static Stream<Case> cases() {
        return Cases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossGradientsAreUnchangedByGarbageCollectionBeforeBackward(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(17));
        Map<String, double[]> calm = GradCheck.autograd(m -> loss.forward(m).value(), in,
                DataType.FLOAT32);
        for (int round = 0; round < 3; round++) {
            Map<String, double[]> stressed = new LinkedHashMap<>();
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, NDArray> nd = GradCheck.toNd(m, in, DataType.FLOAT32);
                for (Map.Entry<String, NDArray> e : nd.entrySet()) {
                    if (!in.get(e.getKey()).integer) {
                        e.getValue().setRequiresGradient(true);
                    }
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray v = loss.forward(nd).value();
                    pressure();
                    gc.backward(v);
                }
                for (Map.Entry<String, NDArray> e : nd.entrySet()) {
                    if (!in.get(e.getKey()).integer) {
                        stressed.put(e.getKey(), e.getValue().getGradient().toType(
                                DataType.FLOAT64, false).toDoubleArray());
                    }
                }
            }
            for (String k : calm.keySet()) {
                assertArrayEquals(calm.get(k), stressed.get(k), 1e-6, c + " " + k);
            }
        }
    }
}
