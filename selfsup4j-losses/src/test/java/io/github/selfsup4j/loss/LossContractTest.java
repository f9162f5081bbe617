package io.github.selfsup4j.loss;

import io.github.selfsup4j.loss.registry.LossRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.Cases;
import io.github.selfsup4j.testing.Cases.Case;
import io.github.selfsup4j.testing.GradCheck;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every loss in the registry must meet: matches its brute-force reference, has the
 * exact float64 gradient, computes fp16 in float32, works through DJL's evaluate, and rejects bad
 * input and hyperparameters with messages that name them.
 */
class LossContractTest {

    static Stream<Case> cases() {
        return Cases.all().stream();
    }

    static Stream<String> hyperparameterLosses() {
        return Cases.HYPERPARAMETERS.keySet().stream().sorted();
    }

    @Test
    void everyRegisteredLossHasCases() {
        Set<String> covered = new TreeSet<>();
        Cases.all().forEach(c -> covered.add(c.loss()));
        assertEquals(new TreeSet<>(LossRegistry.names()), covered);
        assertEquals(16, LossRegistry.names().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesBruteForceReferenceInFloat64(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        for (int seed = 0; seed < 3; seed++) {
            Map<String, Arr> in = c.inputs().apply(new Random(seed));
            double expected = c.reference().applyAsDouble(in);
            double got = GradCheck.value(m -> loss.forward(m).value(), in);
            assertEquals(expected, got, 1e-9 * Math.max(1, Math.abs(expected)), c + " seed " + seed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReferenceInFloat32(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(7));
        double expected = c.reference().applyAsDouble(in);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = loss.forward(GradCheck.toNd(m, in, DataType.FLOAT32)).value();
            assertEquals(DataType.FLOAT32, v.getDataType());
            assertEquals(new Shape(), v.getShape(), "the loss is a scalar");
            assertEquals(expected, v.getFloat(), 2e-5 * Math.max(1, Math.abs(expected)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autogradGradientMatchesFiniteDifferencesInFloat64(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(11));
        GradCheck.check(m -> loss.forward(m).value(), in, 1e-6, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void halfPrecisionInputsAreComputedInFloat32WithGradients(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(3));
        double expected = c.reference().applyAsDouble(in);
        Map<String, double[]> g = GradCheck.autograd(m -> {
            NDArray v = loss.forward(m).value();
            assertEquals(DataType.FLOAT32, v.getDataType(), "fp16 input computes in float32");
            // float16 rounding of the inputs only: the loss itself is accurate
            assertEquals(expected, v.getFloat(), 2e-2 * Math.max(1, Math.abs(expected)));
            return v;
        }, in, DataType.FLOAT16);
        GradCheck.assertFinite(g);
        assertTrue(g.values().stream().anyMatch(a -> java.util.Arrays.stream(a)
                .anyMatch(x -> x != 0)), "some gradient reaches the float16 inputs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void djlEvaluateTakesPredictionsAndLabels(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(5));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = GradCheck.toNd(m, in, DataType.FLOAT32);
            NDList predictions = new NDList();
            NDList labels = new NDList();
            for (InputSpec s : loss.inputs()) {
                if (nd.containsKey(s.name())) {
                    (s.label() ? labels : predictions).add(nd.get(s.name()));
                }
            }
            float direct = loss.forward(nd).value().getFloat();
            assertEquals(direct, loss.evaluate(labels, predictions).getFloat(), 0f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWrongRankNamingTheInput(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(1));
        String first = in.keySet().iterator().next();
        if (c.loss().equals("mse")) {
            return; // mse accepts any rank; its shape check is tested below
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = GradCheck.toNd(m, in, DataType.FLOAT32);
            NDArray x = nd.get(first);
            nd.put(first, x.reshape(new Shape(1, 1, x.size())));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> loss.forward(nd));
            assertTrue(e.getMessage().contains(first), e.getMessage());
            assertTrue(e.getMessage().contains("(1, 1, " + x.size() + ")"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsMismatchedRowsNamingBothShapes(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(1));
        List<String> names = List.copyOf(in.keySet());
        if (names.size() < 2 || c.loss().endsWith("gan") || c.loss().equals("gan-bce")
                || c.loss().equals("wgan")) {
            return; // one input, or real and fake batches that may differ in size
        }
        String second = names.get(1);
        Arr a = in.get(second);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = GradCheck.toNd(m, in, DataType.FLOAT32);
            NDArray x = nd.get(second);
            nd.put(second, x.get("1:"));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> loss.forward(nd));
            assertTrue(e.getMessage().contains(second), e.getMessage());
            assertTrue(a.rows() > 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsMissingAndUnknownInputs(Case c) {
        SelfSupLoss loss = LossRegistry.create(c.loss(), c.options());
        Map<String, Arr> in = c.inputs().apply(new Random(1));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> nd = new LinkedHashMap<>(GradCheck.toNd(m, in, DataType.FLOAT32));
            String first = nd.keySet().iterator().next();
            NDArray x = nd.remove(first);
            IllegalArgumentException missing =
                    assertThrows(IllegalArgumentException.class, () -> loss.forward(nd));
            assertTrue(missing.getMessage().contains(first), missing.getMessage());
            nd.put(first, x);
            nd.put("bogus", x);
            IllegalArgumentException unknown =
                    assertThrows(IllegalArgumentException.class, () -> loss.forward(nd));
            assertTrue(unknown.getMessage().contains("bogus"), unknown.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hyperparameterLosses")
    void rejectsNanAndNegativeHyperparametersNamingThem(String name) {
        for (String option : Cases.HYPERPARAMETERS.get(name)) {
            for (double bad : new double[] {Double.NaN, -1.0, Double.POSITIVE_INFINITY}) {
                Map<String, Object> o = new HashMap<>();
                o.put(option, option.equals("pairs_per_sample") ? (Object) (int) Math.min(0,
                        bad == bad ? bad : 0) : bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> LossRegistry.create(name, o), name + " " + option + "=" + bad);
                assertTrue(e.getMessage().contains(option), e.getMessage());
                assertTrue(e.getMessage().contains(name), e.getMessage());
            }
        }
    }

    @Test
    void positiveOnlyHyperparametersRejectZero() {
        for (String[] lo : new String[][] {{"nt-xent", "temperature"}, {"info-nce", "temperature"},
                {"hcl", "temperature"}, {"contrastive", "margin"}, {"triplet", "margin"},
                {"vicreg", "eps"}, {"hinge", "margin"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossRegistry.create(lo[0], Map.of(lo[1], 0.0)));
            assertTrue(e.getMessage().contains(lo[1] + " must be") && e.getMessage()
                    .contains("got 0.0"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("hcl", Map.of("tau_plus", 1.0)));
        assertTrue(e.getMessage().contains("tau_plus"), e.getMessage());
    }

    @Test
    void registryRejectsUnknownNamesOptionsAndTypes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("simclr", Map.of()));
        assertTrue(e.getMessage().contains("simclr") && e.getMessage().contains("nt-xent"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("nt-xent", Map.of("temprature", 0.1)));
        assertTrue(e.getMessage().contains("temprature") && e.getMessage().contains("temperature"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("nt-xent", Map.of("temperature", "hot")));
        assertTrue(e.getMessage().contains("temperature") && e.getMessage().contains("hot"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("nt-xent", Map.of("pairs_per_sample", 1.5)));
        assertTrue(e.getMessage().contains("pairs_per_sample"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("hcl", Map.of("estimator", "medium")));
        assertTrue(e.getMessage().contains("medium"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("wgan", Map.of("role", "referee")));
        assertTrue(e.getMessage().contains("referee"));
        e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("gan-bce", Map.of("generator", "wasserstein")));
        assertTrue(e.getMessage().contains("wasserstein"));
    }
}
