package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.Cases;
import io.github.selfsup4j.testing.Cases.Case;
import io.github.selfsup4j.testing.GradCheck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LossCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> run(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LossCommand.run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) {
                lines.add(JSON.readTree(l));
            }
        }
        return lines;
    }

    static JsonNode nested(Arr a) {
        if (a.shape.length == 1) {
            return JSON.valueToTree(a.integer ? (Object) a.longs() : a.data);
        }
        return JSON.valueToTree(a.matrix());
    }

    @Test
    void answersEveryRegisteredLossWithValueAndGradientsOfEveryFloatingInput() throws Exception {
        StringBuilder req = new StringBuilder();
        List<Case> cases = Cases.all();
        for (Case c : cases) {
            ObjectNode r = JSON.createObjectNode();
            r.put("loss", c.loss());
            r.set("options", JSON.valueToTree(c.options()));
            ObjectNode in = r.putObject("inputs");
            c.inputs().apply(new Random(9)).forEach((k, v) -> in.set(k, nested(v)));
            r.put("gradients", true);
            req.append(JSON.writeValueAsString(r)).append('\n');
        }
        List<JsonNode> answers = run(req.toString());
        assertEquals(cases.size(), answers.size());
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode a = answers.get(i);
            assertFalse(a.has("error"), c + ": " + a);
            Map<String, Arr> in = c.inputs().apply(new Random(9));
            assertEquals(c.reference().applyAsDouble(in), a.get("loss").asDouble(),
                    1e-9 * Math.max(1, Math.abs(a.get("loss").asDouble())), c.toString());
            Map<String, double[]> grads = GradCheck.autograd(
                    m -> LossRegistry.create(c.loss(), c.options()).forward(m).value(), in,
                    ai.djl.ndarray.types.DataType.FLOAT64);
            for (InputSpec s : LossRegistry.create(c.loss(), c.options()).inputs()) {
                if (!in.containsKey(s.name())) {
                    continue;
                }
                JsonNode g = a.get("gradients").get(s.name());
                if (s.integer()) {
                    assertTrue(g == null, "no gradient for integer input " + s.name());
                    continue;
                }
                assertEquals(nested(in.get(s.name())).toString().split(",").length,
                        g.toString().split(",").length, "same shape for " + s.name());
                double[] flat = JSON.convertValue(JSON.valueToTree(flatten(g)), double[].class);
                double[] expected = grads.get(s.name());
                for (int j = 0; j < flat.length; j++) {
                    assertEquals(expected[j], flat[j], 1e-12, c + " " + s.name());
                }
            }
            assertTrue(a.get("components").isObject());
        }
    }

    static List<Double> flatten(JsonNode n) {
        List<Double> out = new java.util.ArrayList<>();
        if (n.isArray()) {
            n.forEach(c -> out.addAll(flatten(c)));
        } else {
            out.add(n.asDouble());
        }
        return out;
    }

    @Test
    void badRequestsGetAnErrorLineAndTheCommandGoesOn() throws Exception {
        List<JsonNode> a = run(String.join("\n",
                "{\"loss\": \"nope\", \"inputs\": {}}",
                "this is not json",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1, 2], \"target\": [[1], [2]]}}",
                "{\"loss\": \"nt-xent\", \"options\": {\"temperature\": 0}, \"inputs\": {}}",
                "{\"loss\": \"nt-xent\", \"options\": {\"temp\": 1}, \"inputs\": {}}",
                "{\"loss\": \"hinge\", \"inputs\": {\"scores\": [1, [2]], \"labels\": [1, 1]}}",
                "{\"loss\": \"nll\", \"inputs\": {\"log_probs\": [[-1]], \"target\": [0], \"x\": [1]}}",
                "",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1, 2], \"target\": [0, 0]}}"));
        assertEquals(8, a.size(), "blank lines are skipped, every other line answered");
        assertTrue(a.get(0).get("error").asText().contains("nope"));
        assertTrue(a.get(1).get("error").asText().contains("invalid JSON"));
        assertTrue(a.get(2).get("error").asText().contains("same shape"));
        assertTrue(a.get(3).get("error").asText().contains("temperature"));
        assertTrue(a.get(4).get("error").asText().contains("temp"));
        assertTrue(a.get(5).get("error").asText().contains("ragged"));
        assertTrue(a.get(6).get("error").asText().contains("unknown input x"));
        assertEquals(2.5, a.get(7).get("loss").asDouble(), 1e-12);
        assertFalse(a.get(7).has("gradients"), "gradients only when asked for");
    }

    @Test
    void componentsAreReturned() throws Exception {
        JsonNode a = run("{\"loss\": \"vicreg\", \"inputs\": {\"z_i\": [[1, 0], [-1, 0]], "
                + "\"z_j\": [[1, 0], [-1, 0]]}}").get(0);
        assertEquals(12.375, a.get("loss").asDouble(), 1e-12);
        assertEquals(0.495, a.get("components").get("variance").asDouble(), 1e-12);
        JsonNode g = run("{\"loss\": \"gan-bce\", \"options\": {\"role\": \"discriminator\"}, "
                + "\"inputs\": {\"real_logits\": [0], \"fake_logits\": [0]}}").get(0);
        assertEquals(Math.log(2), g.get("components").get("real").asDouble(), 1e-12);
    }

    @Test
    void nonFiniteResultsAndNonBooleanFlagsAreErrorsAndTheCommandGoesOn() throws Exception {
        List<JsonNode> a = run(String.join("\n",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1e300], \"target\": [0]},"
                        + " \"gradients\": true}",
                "{\"loss\": \"cross-entropy\", \"options\": {\"label_smoothing\": 0.1},"
                        + " \"dtype\": \"float32\", \"inputs\": {\"logits\": [[0, -1e300]],"
                        + " \"target\": [0]}}",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1], \"target\": [0]},"
                        + " \"gradients\": \"yes\"}",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1], \"target\": [0]},"
                        + " \"gradients\": 1}",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1], \"target\": [0]},"
                        + " \"gradients\": null}",
                "{\"loss\": \"info-nce\", \"options\": {\"normalize\": \"yes\"},"
                        + " \"inputs\": {\"query\": [[1, 0]], \"key\": [[1, 0]]}}",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1, 2], \"target\": [0, 0]},"
                        + " \"gradients\": false}",
                "{\"loss\": \"mse\", \"inputs\": {\"input\": [1, 2], \"target\": [0, 0]},"
                        + " \"gradients\": true}"));
        assertEquals(8, a.size());
        for (JsonNode line : a) {
            assertFalse(line.path("loss").isTextual(), "no number written as a string: " + line);
        }
        assertError(a.get(0), "mse", "the loss", "Infinity");
        assertError(a.get(1), "cross-entropy", "the loss", "Infinity");
        assertError(a.get(2), "gradients", "\"yes\"");
        assertError(a.get(3), "gradients", "1");
        assertError(a.get(4), "gradients", "null");
        assertError(a.get(5), "normalize", "yes");
        assertEquals(2.5, a.get(6).get("loss").asDouble(), 1e-12);
        assertFalse(a.get(6).has("gradients"));
        assertEquals(2.5, a.get(7).get("loss").asDouble(), 1e-12);
        // d/dx mean((x - t)²) = 2(x - t)/n
        assertEquals(2.0, a.get(7).get("gradients").get("input").get(1).asDouble(), 1e-12);
        assertEquals(-2.0, a.get(7).get("gradients").get("target").get(1).asDouble(), 1e-12);
    }

    static void assertError(JsonNode answer, String... parts) {
        assertTrue(answer.has("error") && !answer.has("loss"), answer.toString());
        for (String p : parts) {
            assertTrue(answer.get("error").asText().contains(p), p + " in " + answer);
        }
    }

    @Test
    void aNonFiniteGradientIsAnErrorNamingTheInputAndTheElement() {
        // no registered loss was found whose value is finite while a gradient is not, so the
        // check that every answer goes through is tested on its own
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray g = m.create(new double[] {1, 2, 3, Double.NaN, 5, 6},
                    new ai.djl.ndarray.types.Shape(2, 3));
            ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(
                    ArithmeticException.class,
                    () -> LossCommand.finite("nt-xent", "the gradient of input z_i", g));
            assertEquals("nt-xent: the gradient of input z_i is not finite (NaN at [1, 0])",
                    e.getMessage());
            ai.djl.ndarray.NDArray inf = m.create(Float.NEGATIVE_INFINITY);
            e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
                    () -> LossCommand.finite("mse", "the loss", inf));
            assertEquals("mse: the loss is not finite (-Infinity)", e.getMessage());
            assertEquals("[[1.0,2.0],[3.0,4.0]]", LossCommand.finite("mse", "the loss",
                    m.create(new double[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2)))
                    .toString());
        }
    }
}
