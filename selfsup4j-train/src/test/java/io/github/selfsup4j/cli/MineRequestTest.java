package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.selfsup4j.testing.MetricReference;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code mine} request and the metric losses through {@code selfsup4j loss}. */
class MineRequestTest {

    /** Points on a line: A at 0, 1, 4; B at 2, 6; C (alone) at 100 (see MinerTest). */
    static final String LINE = "\"inputs\": {\"embeddings\": [[0], [1], [4], [2], [6], [100]],"
            + " \"labels\": [0, 0, 0, 1, 1, 2]}";
    static final String RAW = "\"distance\": \"euclidean\", \"normalize_embeddings\": false";

    static String ints(JsonNode a) {
        return a.toString();
    }

    @Test
    void mineAnswersTripletsAndPairs() throws Exception {
        List<JsonNode> a = LossCommandTest.run(String.join("\n",
                "{\"mine\": \"batch-hard\", " + LINE + ", \"options\": {" + RAW + "}}",
                "{\"mine\": \"semi-hard\", " + LINE + ", \"options\": {" + RAW
                        + ", \"margin\": 1.0}}",
                "{\"mine\": \"multi-similarity\", " + LINE + ", \"options\": {" + RAW
                        + ", \"epsilon\": 0.5}}"));
        assertEquals("[0,1,2,3,4]", ints(a.get(0).get("anchors")));
        assertEquals("[2,2,0,4,3]", ints(a.get(0).get("positives")));
        assertEquals("[3,3,3,1,2]", ints(a.get(0).get("negatives")));
        assertEquals("[0,4]", ints(a.get(1).get("anchors")));
        assertEquals("[1,3]", ints(a.get(1).get("positives")));
        assertEquals("[3,1]", ints(a.get(1).get("negatives")));
        JsonNode ms = a.get(2);
        assertFalse(ms.has("anchors"), ms.toString());
        assertEquals("[0,1,1,2,2,3,4]", ints(ms.get("positive_anchors")));
        assertEquals("[2,0,2,1,0,4,3]", ints(ms.get("positives")));
        assertEquals("[0,1,2,2,3,3,3,4]", ints(ms.get("negative_anchors")));
        assertEquals("[3,3,3,4,1,0,2,2]", ints(ms.get("negatives")));
    }

    @Test
    void tripletAndSupConRequestsInTheLabelledForm() throws Exception {
        String x = "[[1, 0.5], [0.2, 1], [-1, 0.3], [0.4, -1], [0.9, 0.1], [-0.3, -0.8]]";
        String y = "[0, 1, 0, 1, 2, 2]";
        List<JsonNode> a = LossCommandTest.run(String.join("\n",
                "{\"loss\": \"triplet\", \"inputs\": {\"embeddings\": " + x + ", \"labels\": " + y
                        + "}, \"options\": {\"margin\": 0.2, \"miner\": \"semi-hard\","
                        + " \"distance\": \"euclidean\", \"reduction\": \"mean\"},"
                        + " \"gradients\": true}",
                "{\"loss\": \"supcon\", \"inputs\": {\"embeddings\": " + x + ", \"labels\": " + y
                        + "}, \"options\": {\"temperature\": 0.1}}"));
        double[][] e = {{1, 0.5}, {0.2, 1}, {-1, 0.3}, {0.4, -1}, {0.9, 0.1}, {-0.3, -0.8}};
        long[] labels = {0, 1, 0, 1, 2, 2};
        assertFalse(a.get(0).has("error"), a.get(0).toString());
        assertEquals(MetricReference.triplet(e, labels, "semi-hard", "euclidean", true, 0.2, 0.2,
                false, "mean"), a.get(0).get("loss").asDouble(), 1e-12);
        assertEquals(6, a.get(0).get("gradients").get("embeddings").size());
        assertEquals(MetricReference.supCon(e, labels, 0.1), a.get(1).get("loss").asDouble(),
                1e-12);
    }

    @Test
    void badMineRequestsGetAnErrorLine() throws Exception {
        List<JsonNode> a = LossCommandTest.run(String.join("\n",
                "{\"mine\": \"hardest\", " + LINE + "}",
                "{\"mine\": \"batch-hard\", \"inputs\": {\"embeddings\": [[0], [1]]}}",
                "{\"mine\": \"batch-hard\", " + LINE + ", \"gradients\": true}",
                "{\"mine\": \"batch-hard\", \"inputs\": {\"embeddings\": [[0], [1]],"
                        + " \"labels\": [3, 3]}}",
                "{\"mine\": 4, " + LINE + "}",
                "{\"mine\": \"all\", " + LINE + ", \"options\": {\"epsilon\": -1}}"));
        assertTrue(a.get(0).get("error").asText().contains("hardest"), a.get(0).toString());
        assertTrue(a.get(1).get("error").asText().contains("labels"), a.get(1).toString());
        assertTrue(a.get(2).get("error").asText().contains("gradients"), a.get(2).toString());
        assertTrue(a.get(3).get("error").asText().contains("two classes"), a.get(3).toString());
        assertTrue(a.get(4).get("error").asText().contains("miner name"), a.get(4).toString());
        assertTrue(a.get(5).get("error").asText().contains("epsilon"), a.get(5).toString());
    }

    @Test
    void listShowsBothFormsAndTheMiners() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, new CommandLine(new LossCommand()).execute("--list"));
        } finally {
            System.setOut(old);
        }
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("triplet  [anchor, positive, negative] or [embeddings, labels]"), s);
        assertTrue(s.contains("supcon  [embeddings, labels]"), s);
        assertTrue(s.contains("mine: batch-hard, semi-hard, hard, all, multi-similarity"), s);
    }
}
