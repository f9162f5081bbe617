package io.github.selfsup4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.testing.Arr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Simulates 2 and 4 ranks in one process (one thread each, {@link LocalCollective}) and checks
 * that the gathered loss has the same value, and every rank's local inputs the same gradients, as
 * one process holding the whole batch.
 */
class GatheredLossTest {

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (int world : new int[] {2, 4}) {
            a.add(Arguments.of("nt-xent", Map.of(), List.of("z_i", "z_j"), world));
            a.add(Arguments.of("nt-xent", Map.of("pairs_per_sample", 2, "temperature", 0.2),
                    List.of("z_i", "z_j"), world));
            // each rank's share tiled (tiles that straddle the two views and the rank's rows),
            // against the dense loss of one process
            a.add(Arguments.of("nt-xent", Map.of("impl", "tiled", "tile_size", 3),
                    List.of("z_i", "z_j"), world));
            a.add(Arguments.of("nt-xent", Map.of("impl", "tiled", "tile_size", 3,
                    "pairs_per_sample", 2, "temperature", 0.2), List.of("z_i", "z_j"), world));
            a.add(Arguments.of("hcl", Map.of(), List.of("out_1", "out_2"), world));
            a.add(Arguments.of("hcl", Map.of("estimator", "easy", "temperature", 0.1),
                    List.of("out_1", "out_2"), world));
            a.add(Arguments.of("vicreg", Map.of(), List.of("z_i", "z_j"), world));
            a.add(Arguments.of("barlow-twins", Map.of(), List.of("z1", "z2"), world));
        }
        // every case in float32 and float64 (float64 travels as float64: exact to 1e-12)
        List<Arguments> both = new ArrayList<>();
        for (Arguments c : a) {
            for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                Object[] v = c.get();
                both.add(Arguments.of(v[0], v[1], v[2], v[3], t));
            }
        }
        return both.stream();
    }

    @ParameterizedTest(name = "{0} {1} on {3} ranks, {4}")
    @MethodSource("cases")
    void matchesOneProcessHoldingTheWholeBatch(String name, Map<String, Object> options,
            List<String> inputs, int world, DataType dtype)
            throws Exception {
        SelfSupLoss loss = LossRegistry.create(name, options);
        int rows = 8; // 2 or 4 rows per rank; with 2 pairs per sample each rank holds whole samples
        Random r = new Random(42);
        Map<String, Arr> global = new LinkedHashMap<>();
        for (String in : inputs) {
            global.put(in, Arr.gaussian(r, rows, 6));
        }

        // one process, whole batch, dense
        Map<String, Object> denseOptions = new java.util.HashMap<>(options);
        denseOptions.remove("impl");
        denseOptions.remove("tile_size");
        SelfSupLoss reference = LossRegistry.create(name, denseOptions);
        double expectedValue;
        Map<String, double[]> expectedGrad = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = new LinkedHashMap<>();
            for (Map.Entry<String, Arr> e : global.entrySet()) {
                NDArray x = e.getValue().nd(m, dtype);
                x.setRequiresGradient(true);
                nd.put(e.getKey(), x);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = reference.forward(nd).value();
                expectedValue = v.toType(DataType.FLOAT64, false).getDouble();
                gc.backward(v);
            }
            for (Map.Entry<String, NDArray> e : nd.entrySet()) {
                expectedGrad.put(e.getKey(), e.getValue().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
        }

        // W ranks, each holding rows [r·n, (r+1)·n)
        List<Collective> group = LocalCollective.group(world, 60);
        int n = rows / world;
        double[] values = new double[world];
        Map<String, double[]> gotGrad = new LinkedHashMap<>();
        for (String in : inputs) {
            gotGrad.put(in, new double[rows * 6]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try (NDManager base = NDManager.newBaseManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int rank = 0; rank < world; rank++) {
                int rk = rank;
                NDManager m = base.newSubManager();
                Map<String, NDArray> local = new LinkedHashMap<>();
                for (Map.Entry<String, Arr> e : global.entrySet()) {
                    NDArray x = e.getValue().withRows(rk * n, (rk + 1) * n).nd(m, dtype);
                    x.setRequiresGradient(true);
                    local.put(e.getKey(), x);
                }
                futures.add(pool.submit(() -> {
                    GatheredLoss g = GatheredLoss.forward((Gatherable) loss, group.get(rk), local);
                    gc.backward(g.objective());
                    gc.backward(g.surrogate());
                    values[rk] = g.doubleValue();
                    for (Map.Entry<String, NDArray> e : local.entrySet()) {
                        double[] lg = e.getValue().getGradient()
                                .toType(DataType.FLOAT64, false).toDoubleArray();
                        System.arraycopy(lg, 0, gotGrad.get(e.getKey()), rk * n * 6, lg.length);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double tol = dtype == DataType.FLOAT64 ? 1e-12 : 1e-5;
        for (int rank = 0; rank < world; rank++) {
            assertEquals(expectedValue, values[rank], tol * Math.max(1, Math.abs(expectedValue)),
                    "value on rank " + rank);
        }
        for (String in : inputs) {
            double[] exp = expectedGrad.get(in);
            double[] got = gotGrad.get(in);
            double scale = 0;
            for (double v : exp) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, "the gradient is not trivially zero: " + name + " " + in + " value " + expectedValue + " " + java.util.Arrays.toString(exp));
            for (int i = 0; i < exp.length; i++) {
                assertEquals(exp[i], got[i], tol * Math.max(1, scale), in + "[" + i + "]");
            }
        }
    }

    @Test
    void gradientIsWrongWithoutTheSecondPassSoTheTestCanFail() throws Exception {
        // Guard for the test above: only back-propagating the local share through a plain
        // (detached) gather misses the other ranks' terms and differs from the full gradient.
        SelfSupLoss loss = LossRegistry.create("nt-xent", Map.of());
        Random r = new Random(1);
        Arr zi = Arr.gaussian(r, 4, 3);
        Arr zj = Arr.gaussian(r, 4, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = zi.nd(m, DataType.FLOAT32);
            NDArray b = zj.nd(m, DataType.FLOAT32);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(((Gatherable) loss).shareOf(Map.of("z_i", a, "z_j", b), 0, 2));
            }
            float[] partial = a.getGradient().toFloatArray();
            NDArray a2 = zi.nd(m, DataType.FLOAT32);
            NDArray b2 = zj.nd(m, DataType.FLOAT32);
            a2.setRequiresGradient(true);
            b2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.forward(Map.of("z_i", a2, "z_j", b2)).value());
            }
            float[] full = a2.getGradient().toFloatArray();
            float[] rank0Partial = java.util.Arrays.copyOf(partial, 6);
            float[] rank0Full = java.util.Arrays.copyOf(full, 6);
            boolean differs = false;
            for (int i = 0; i < 6; i++) {
                differs |= Math.abs(rank0Partial[i] - rank0Full[i]) > 1e-4;
            }
            assertTrue(differs, "a rank's own share alone does not give the full gradient");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderCases")
    void collectivesFollowTheDeclaredInputOrderNotTheMapOrder(String name, List<String> inputs)
            throws Exception {
        // Regression: the gather used to follow each rank's map iteration order, and Map.of
        // iterates differently in each JVM; rank 0 gathered z1 while rank 1 sent z2.
        SelfSupLoss loss = LossRegistry.create(name, Map.of());
        Random r = new Random(3);
        Arr a = Arr.gaussian(r, 6, 3);
        Arr b = Arr.gaussian(r, 6, 3);
        double expected;
        double[] expectedGradA;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = a.nd(m, DataType.FLOAT64);
            NDArray y = b.nd(m, DataType.FLOAT64);
            x.setRequiresGradient(true);
            y.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = loss.forward(Map.of(inputs.get(0), x, inputs.get(1), y)).value();
                expected = v.getDouble();
                gc.backward(v);
            }
            expectedGradA = x.getGradient().toDoubleArray();
        }
        List<Collective> group = LocalCollective.group(2, 10);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        double[] gotGradA = new double[expectedGradA.length];
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            List<Future<Double>> f = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int rk = rank;
                Map<String, NDArray> local = new LinkedHashMap<>();
                NDArray x = a.withRows(rank * 3, rank * 3 + 3).nd(m, DataType.FLOAT64);
                NDArray y = b.withRows(rank * 3, rank * 3 + 3).nd(m, DataType.FLOAT64);
                x.setRequiresGradient(true);
                y.setRequiresGradient(true);
                if (rank == 0) {
                    local.put(inputs.get(0), x);
                    local.put(inputs.get(1), y);
                } else { // the other iteration order
                    local.put(inputs.get(1), y);
                    local.put(inputs.get(0), x);
                }
                Collective c = group.get(rank);
                f.add(pool.submit(() -> {
                    GatheredLoss g = GatheredLoss.forward((Gatherable) loss, c, local);
                    gc.backward(g.objective());
                    gc.backward(g.surrogate());
                    double[] ga = x.getGradient().toDoubleArray();
                    System.arraycopy(ga, 0, gotGradA, rk * ga.length, ga.length);
                    return g.doubleValue();
                }));
            }
            for (Future<Double> v : f) {
                assertEquals(expected, v.get(), 1e-12 * Math.abs(expected));
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < expectedGradA.length; i++) {
            assertEquals(expectedGradA[i], gotGradA[i], 1e-12, inputs.get(0) + "[" + i + "]");
        }
    }

    static Stream<Arguments> orderCases() {
        return Stream.of(Arguments.of("nt-xent", List.of("z_i", "z_j")),
                Arguments.of("barlow-twins", List.of("z1", "z2")),
                Arguments.of("vicreg", List.of("z_i", "z_j")));
    }

    @Test
    void singleCollectiveEqualsPlainLoss() {
        Collective c = Collective.single();
        assertEquals(0, c.rank());
        assertEquals(1, c.worldSize());
        assertArrayEquals(new float[] {1, 2}, c.allGather(new float[] {1, 2}));
        assertArrayEquals(new float[] {3}, c.allReduceSum(new float[] {3}));
    }

    /** The message each of 2 ranks gets from vicreg's gathered forward on its (bad) input. */
    static List<String> errorsOnTwoRanks(java.util.function.BiFunction<NDManager, Integer, NDArray>
            input) throws Exception {
        List<Collective> group = LocalCollective.group(2, 10);
        SelfSupLoss loss = LossRegistry.create("vicreg", Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NDManager m = NDManager.newBaseManager()) {
            List<Future<String>> f = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                Collective c = group.get(rank);
                NDArray x = input.apply(m, rank);
                f.add(pool.submit(() -> {
                    try {
                        GatheredLoss.forward((Gatherable) loss, c, Map.of("z_i", x, "z_j", x));
                        return "no error";
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                }));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> s : f) {
                out.add(s.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ranksWithOtherDtypesOrUnknownInputsAreRejected() throws Exception {
        for (String msg : errorsOnTwoRanks((m, rank) -> m.randomNormal(
                new ai.djl.ndarray.types.Shape(3, 2))
                .toType(rank == 0 ? DataType.FLOAT64 : DataType.FLOAT32, false))) {
            assertTrue(msg.contains("same inputs with the same dtypes"), msg);
        }
        SelfSupLoss loss = LossRegistry.create("vicreg", Map.of());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(3, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GatheredLoss.forward((Gatherable) loss, Collective.single(),
                            Map.of("z_i", x, "z_j", x, "z_k", x)));
            assertTrue(e.getMessage().contains("unknown input z_k"), e.getMessage());
        }
    }

    @Test
    void unequalLocalBatchesAreRejected() throws Exception {
        for (String msg : errorsOnTwoRanks((m, rank) -> m.randomNormal(
                new ai.djl.ndarray.types.Shape(rank == 0 ? 3 : 4, 2)))) {
            assertTrue(msg.contains("same local batch size"), msg);
        }
    }
}
