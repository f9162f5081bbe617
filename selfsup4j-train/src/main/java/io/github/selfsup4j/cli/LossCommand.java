package io.github.selfsup4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.metric.Miners;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selfsup4j loss}: the cross-language conformance interface. Reads JSON Lines requests on
 * standard input and answers each with one JSON line, in order.
 */
@Command(
        name = "loss",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate losses on JSON Lines from standard input, one answer line per request.",
            "Request:  {\"loss\": NAME, \"options\": {...}, \"inputs\": {NAME: nested arrays},"
                    + " \"gradients\": true}",
            "Answer:   {\"loss\": number, \"gradients\": {NAME: nested arrays},"
                    + " \"components\": {...}}  or  {\"error\": message}",
            "Computed in float64 unless \"dtype\": \"float32\" is given.",
            "Mining:   {\"mine\": MINER, \"inputs\": {\"embeddings\": ..., \"labels\": ...},"
                    + " \"options\": {...}}  ->  index tuples"
        })
public final class LossCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--list", description = "List the loss names and their inputs, then exit.")
    boolean list;

    @Override
    public Integer call() throws IOException {
        if (list) {
            for (String name : LossRegistry.names()) {
                System.out.println(name + "  " + LossRegistry.create(name, Map.of()).signature());
            }
            System.out.println("mine: " + String.join(", ", Miners.NAMES)
                    + "  [embeddings, labels]");
            return 0;
        }
        return run(System.in, System.out);
    }

    /** Answers every request line of {@code in} on {@code out}. */
    static int run(InputStream in, PrintStream out) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try (NDManager base = NDManager.newBaseManager()) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                out.println(answer(line, base));
                out.flush();
            }
        }
        return 0;
    }

    /** The answer line for one request line. */
    static String answer(String line, NDManager base) {
        try (NDManager m = base.newSubManager()) {
            return JSON.writeValueAsString(evaluate(JSON.readTree(line), m));
        } catch (JsonProcessingException e) {
            return error("invalid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException | IllegalStateException
                | UnsupportedOperationException | ArithmeticException e) {
            return error(e.getMessage());
        } catch (RuntimeException e) {
            return error(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String error(String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message == null ? "unknown error" : message);
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            return "{\"error\":\"unprintable error\"}";
        }
    }

    private static ObjectNode evaluate(JsonNode req, NDManager m) {
        if (req == null || !req.isObject()) {
            throw new IllegalArgumentException("a request must be a JSON object");
        }
        if (req.has("mine")) {
            return MineRequest.answer(req, options(req.get("options")), dtype(req.get("dtype")),
                    m, JSON);
        }
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("loss") && !f.equals("options") && !f.equals("inputs")
                    && !f.equals("gradients") && !f.equals("dtype")) {
                throw new IllegalArgumentException("unknown request field \"" + f
                        + "\" (fields: loss, options, inputs, gradients, dtype)");
            }
        }
        JsonNode name = req.get("loss");
        if (name == null || !name.isTextual()) {
            throw new IllegalArgumentException("request needs \"loss\": a loss name (one of "
                    + String.join(", ", LossRegistry.names()) + ")");
        }
        SelfSupLoss loss = LossRegistry.create(name.asText(), options(req.get("options")));
        DataType type = dtype(req.get("dtype"));
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isObject()) {
            throw new IllegalArgumentException("request needs \"inputs\": an object of arrays "
                    + loss.inputNames());
        }
        Map<String, InputSpec> specs = new LinkedHashMap<>();
        for (InputSpec s : loss.inputs()) {
            specs.put(s.name(), s);
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            InputSpec spec = specs.get(e.getKey());
            if (spec == null) {
                throw new IllegalArgumentException(loss.getName() + ": unknown input "
                        + e.getKey() + " (inputs: " + loss.inputNames() + ")");
            }
            arrays.put(e.getKey(), JsonArrays.read(e.getKey(), e.getValue(), spec.integer(), m,
                    type));
        }
        boolean gradients = flag(req, "gradients");
        ObjectNode out = JSON.createObjectNode();
        LossOutput result;
        if (gradients) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                if (!specs.get(e.getKey()).integer()) {
                    e.getValue().setRequiresGradient(true);
                }
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                result = loss.forward(arrays);
                gc.backward(result.value());
            }
        } else {
            result = loss.forward(arrays);
        }
        String owner = loss.getName();
        out.set("loss", finite(owner, "the loss", result.value()));
        if (gradients) {
            ObjectNode g = out.putObject("gradients");
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                if (!specs.get(e.getKey()).integer()) {
                    g.set(e.getKey(), finite(owner, "the gradient of input " + e.getKey(),
                            e.getValue().getGradient()));
                }
            }
        }
        ObjectNode c = out.putObject("components");
        for (Map.Entry<String, NDArray> e : result.components().entrySet()) {
            c.set(e.getKey(), finite(owner, "component " + e.getKey(), e.getValue()));
        }
        return out;
    }

    /**
     * A boolean field of the request: absent is false; anything but JSON true or false (a
     * string "yes", a number, null) is an error naming the field and the value.
     */
    private static boolean flag(JsonNode req, String field) {
        JsonNode v = req.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("\"" + field + "\" must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    /**
     * {@code a} as JSON numbers, or an error naming {@code what} when an element is NaN or
     * infinite: JSON has no such numbers (Jackson would write the strings "NaN", "Infinity").
     */
    static JsonNode finite(String owner, String what, NDArray a) {
        double[] v = a.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                String at = a.getShape().dimension() == 0 ? ""
                        : " at " + java.util.Arrays.toString(index(a.getShape().getShape(), i));
                throw new ArithmeticException(owner + ": " + what + " is not finite (" + v[i]
                        + at + ")");
            }
        }
        return JsonArrays.write(a);
    }

    /** The multi-index of flat position {@code flat} in an array of shape {@code dims}. */
    private static long[] index(long[] dims, long flat) {
        long[] idx = new long[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        return idx;
    }

    private static Map<String, Object> options(JsonNode node) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return o;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"options\" must be an object, got " + node);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            Object value;
            if (v.isIntegralNumber()) {
                value = v.asLong();
            } else if (v.isNumber()) {
                value = v.asDouble();
            } else if (v.isBoolean()) {
                value = v.asBoolean();
            } else if (v.isTextual()) {
                value = v.asText();
            } else {
                throw new IllegalArgumentException("option " + e.getKey()
                        + " must be a number, boolean or string, got " + v);
            }
            o.put(e.getKey(), value);
        }
        return o;
    }

    private static DataType dtype(JsonNode node) {
        if (node == null || node.isNull() || node.asText().equals("float64")) {
            return DataType.FLOAT64;
        }
        if (node.asText().equals("float32")) {
            return DataType.FLOAT32;
        }
        throw new IllegalArgumentException("dtype must be \"float64\" or \"float32\", got " + node);
    }
}
