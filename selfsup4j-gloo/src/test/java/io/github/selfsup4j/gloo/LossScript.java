package io.github.selfsup4j.gloo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.distributed.GatheredLoss;
import io.github.selfsup4j.distributed.Gatherable;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The gatherable losses on a global float64 batch split by rows: every rank prints its loss value
 * and its rows' gradients ({@link #onRank}); {@link #reference} computes the same in one process
 * holding the whole batch.
 */
final class LossScript {

    static final int ROWS_PER_RANK = 4; // whole samples with 2 pairs per sample
    static final int DIM = 5;

    /** (name, options) pairs; every nt-xent variant, hcl, vicreg, barlow-twins. */
    static final List<Map.Entry<String, Map<String, Object>>> CASES = List.of(
            Map.entry("nt-xent", Map.of()),
            Map.entry("nt-xent", Map.of("pairs_per_sample", 2, "temperature", 0.2)),
            Map.entry("nt-xent", Map.of("impl", "tiled", "tile_size", 3)),
            Map.entry("nt-xent", Map.of("impl", "tiled", "tile_size", 3, "pairs_per_sample", 2,
                    "temperature", 0.2)),
            Map.entry("hcl", Map.of()),
            Map.entry("vicreg", Map.of()),
            Map.entry("barlow-twins", Map.of()));

    private LossScript() {}

    static List<Arr> globalInputs(int caseIndex, int world) {
        Random rng = new Random(7 + caseIndex);
        return List.of(Arr.gaussian(rng, world * ROWS_PER_RANK, DIM),
                Arr.gaussian(rng, world * ROWS_PER_RANK, DIM));
    }

    static List<String> names(SelfSupLoss loss) {
        return loss.inputNames().subList(0, 2);
    }

    /** One line per case: "value grad-of-input-0... grad-of-input-1..." for this rank's rows. */
    static List<String> onRank(Collective c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            SelfSupLoss loss = LossRegistry.create(CASES.get(i).getKey(), CASES.get(i).getValue());
            List<String> names = names(loss);
            List<Arr> global = globalInputs(i, c.worldSize());
            int from = c.rank() * ROWS_PER_RANK;
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray a = global.get(0).withRows(from, from + ROWS_PER_RANK).nd(m, DataType.FLOAT64);
                NDArray b = global.get(1).withRows(from, from + ROWS_PER_RANK).nd(m, DataType.FLOAT64);
                a.setRequiresGradient(true);
                b.setRequiresGradient(true);
                GatheredLoss g;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // Map.of: its iteration order differs between JVMs
                    g = GatheredLoss.forward((Gatherable) loss, c,
                            Map.of(names.get(0), a, names.get(1), b));
                    gc.backward(g.objective());
                    gc.backward(g.surrogate());
                }
                out.add(line(g.doubleValue(), a.getGradient().toDoubleArray(),
                        b.getGradient().toDoubleArray()));
            }
        }
        return out;
    }

    /** The value and the gradients of the whole batch, in one process. */
    static double[][] reference(int caseIndex, int world) {
        Map.Entry<String, Map<String, Object>> c = CASES.get(caseIndex);
        Map<String, Object> dense = new java.util.HashMap<>(c.getValue());
        dense.remove("impl");
        dense.remove("tile_size");
        SelfSupLoss loss = LossRegistry.create(c.getKey(), dense);
        List<String> names = names(loss);
        List<Arr> global = globalInputs(caseIndex, world);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = global.get(0).nd(m, DataType.FLOAT64);
            NDArray b = global.get(1).nd(m, DataType.FLOAT64);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = loss.forward(Map.of(names.get(0), a, names.get(1), b)).value();
                value = v.getDouble();
                gc.backward(v);
            }
            return new double[][] {
                {value}, a.getGradient().toDoubleArray(), b.getGradient().toDoubleArray()
            };
        }
    }

    static String line(double value, double[] ga, double[] gb) {
        StringBuilder sb = new StringBuilder().append(value);
        for (double v : ga) {
            sb.append(' ').append(v);
        }
        for (double v : gb) {
            sb.append(' ').append(v);
        }
        return sb.toString();
    }
}
