package io.github.selfsup4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.metric.MinedTuples;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.metric.Miners;
import io.github.selfsup4j.metric.Pairs;
import io.github.selfsup4j.metric.Triplets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The {@code mine} request of {@code selfsup4j loss}: {@code {"mine": NAME, "inputs":
 * {"embeddings": [[...]], "labels": [...]}, "options": {...}}}, answered with the index tuples:
 * {@code {"anchors", "positives", "negatives"}} for a triplet miner, {@code {"positive_anchors",
 * "positives", "negative_anchors", "negatives"}} for a pair miner (multi-similarity).
 */
final class MineRequest {

    private static final Set<String> FIELDS = Set.of("mine", "options", "inputs", "dtype");

    private MineRequest() {}

    static ObjectNode answer(JsonNode req, Map<String, Object> options, DataType type,
            NDManager m, ObjectMapper json) {
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown request field \"" + f
                        + "\" (fields of a mine request: mine, options, inputs, dtype)");
            }
        }
        JsonNode name = req.get("mine");
        if (!name.isTextual()) {
            throw new IllegalArgumentException("\"mine\" must be a miner name (one of "
                    + String.join(", ", Miners.NAMES) + "), got " + name);
        }
        Miner miner = LossRegistry.miner(name.asText(), options);
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isObject()) {
            throw new IllegalArgumentException("request needs \"inputs\": an object with"
                    + " embeddings and labels");
        }
        for (Iterator<String> it = inputs.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("embeddings") && !f.equals("labels")) {
                throw new IllegalArgumentException(miner.name() + ": unknown input " + f
                        + " (inputs: [embeddings, labels])");
            }
        }
        NDArray embeddings = read(inputs, "embeddings", false, m, type, miner);
        NDArray labels = read(inputs, "labels", true, m, type, miner);
        MinedTuples tuples = miner.mine(embeddings, labels);
        ObjectNode out = json.createObjectNode();
        if (tuples instanceof Triplets t) {
            put(out, "anchors", t.anchors());
            put(out, "positives", t.positives());
            put(out, "negatives", t.negatives());
        } else {
            Pairs p = (Pairs) tuples;
            put(out, "positive_anchors", p.positiveAnchors());
            put(out, "positives", p.positives());
            put(out, "negative_anchors", p.negativeAnchors());
            put(out, "negatives", p.negatives());
        }
        return out;
    }

    private static NDArray read(JsonNode inputs, String key, boolean integer, NDManager m,
            DataType type, Miner miner) {
        JsonNode node = inputs.get(key);
        if (node == null) {
            throw new IllegalArgumentException(miner.name() + ": input " + key
                    + " is missing (inputs: [embeddings, labels])");
        }
        return JsonArrays.read(key, node, integer, m, type);
    }

    private static void put(ObjectNode out, String key, int[] values) {
        ArrayNode a = out.putArray(key);
        for (int v : values) {
            a.add(v);
        }
    }
}
