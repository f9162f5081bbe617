package io.github.selfsup4j.loss.contrastive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.GradCheck;
import io.github.selfsup4j.testing.MetricReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tiled SupCon equals the dense one, values and gradients: with every sample holding a
 * positive (symmetric tiles) and with lone samples (anchors against all rows), several tile
 * sizes, and temperatures on both sides of the unshifted limit.
 */
class SupConTiledTest {

    static final long[] VIEWS = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5};
    static final long[] LONERS = {0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 6};

    static Map<String, Arr> batch(long seed, long[] y) {
        Map<String, Arr> in = new LinkedHashMap<>();
        in.put("embeddings", Arr.gaussian(new Random(seed), y.length, 5));
        in.put("labels", Arr.ints(y));
        return in;
    }

    static SelfSupLoss loss(String impl, int tile, double tau) {
        return LossRegistry.create("supcon", Map.of("impl", impl, "tile_size", tile,
                "temperature", tau));
    }

    @Test
    void tiledEqualsDenseInValueAndGradient() {
        for (long[] y : new long[][] {VIEWS, LONERS}) {
            for (double tau : new double[] {0.5, 0.1, 0.002}) {
                Map<String, Arr> in = batch(3, y);
                SelfSupLoss dense = loss("dense", 512, tau);
                double want = GradCheck.value(m -> dense.forward(m).value(), in);
                assertEquals(MetricReference.supCon(in.get("embeddings").matrix(), y, tau), want,
                        1e-9 * Math.max(1, want));
                double[] wantGrad = GradCheck.autograd(m -> dense.forward(m).value(), in,
                        DataType.FLOAT64).get("embeddings");
                for (int tile : new int[] {1, 3, 5, 512}) {
                    SelfSupLoss tiled = loss("tiled", tile, tau);
                    String what = "labels " + y.length + " τ " + tau + " tile " + tile;
                    assertEquals(want, GradCheck.value(m -> tiled.forward(m).value(), in),
                            1e-10 * Math.max(1, want), what);
                    assertArrayEquals(wantGrad, GradCheck.autograd(
                            m -> tiled.forward(m).value(), in, DataType.FLOAT64)
                            .get("embeddings"), 1e-10, what);
                }
            }
        }
    }

    @Test
    void tiledGradientMatchesFiniteDifferencesAndFloat32() {
        Map<String, Arr> in = batch(8, LONERS);
        SelfSupLoss tiled = loss("tiled", 4, 0.2);
        GradCheck.check(m -> tiled.forward(m).value(), in, 1e-6, 1e-6);
        SelfSupLoss dense = loss("dense", 4, 0.2);
        double[] g32 = GradCheck.autograd(m -> tiled.forward(m).value(), in, DataType.FLOAT32)
                .get("embeddings");
        double[] g64 = GradCheck.autograd(m -> dense.forward(m).value(), in, DataType.FLOAT64)
                .get("embeddings");
        assertArrayEquals(g64, g32, 1e-5);
    }

    @Test
    void autoTilesBeyondTheBudgetWithTheSameValue() {
        Map<String, Arr> in = batch(5, VIEWS);
        SelfSupLoss auto = LossRegistry.create("supcon", Map.of("memory_budget_mb", 1e-6,
                "tile_size", 5));
        SelfSupLoss dense = loss("dense", 5, 0.1);
        assertEquals(GradCheck.value(m -> dense.forward(m).value(), in),
                GradCheck.value(m -> auto.forward(m).value(), in), 1e-10);
    }
}
