package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train and eval commands end to end on a few hundred images. */
class TrainCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static final String[] SMALL = {"--limit", "256", "--batch-size", "64", "--width", "16",
        "--probe-epochs", "1", "--no-progress", "--data", "../data/fashion-mnist"};

    static String[] args(String[] base, String... more) {
        return Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void trainWritesMetricsPlotsAndCheckpointThenEvalAndResumeWork() throws Exception {
        Result r = run(args(new String[] {"train", "--runs-dir", tmp.toString(), "--epochs",
            "1"}, SMALL));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("epoch 1/1"), r.out());
        Path dir;
        try (Stream<Path> s = Files.list(tmp)) {
            dir = s.findFirst().orElseThrow();
        }
        assertTrue(dir.getFileName().toString().endsWith("-simclr"));
        JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        for (String key : List.of("method", "hyperparameters", "epoch_loss", "knn_top1_k20",
                "knn_top1_k200", "linear_probe_top1", "baselines", "images_per_second",
                "wall_seconds", "seed")) {
            assertTrue(m.has(key), "metrics.json has " + key);
        }
        assertEquals("simclr", m.get("method").asText());
        assertEquals(0.5, m.get("hyperparameters").get("temperature").asDouble(), 0);
        assertTrue(m.get("baselines").get("raw_pixels").has("knn_top1_k20"));
        assertTrue(m.get("baselines").get("random_encoder").has("linear_probe_top1"));
        for (String f : List.of("loss.png", "embedding.png", "checkpoint.bin")) {
            assertTrue(Files.size(dir.resolve(f)) > 1000, f);
        }
        byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);

        Result e = run("eval", dir.toString(), "--no-baselines");
        assertEquals(0, e.code(), e.out() + e.err());
        JsonNode ev = new ObjectMapper().readTree(dir.resolve("eval.json").toFile());
        assertEquals(m.get("knn_top1_k20").asDouble(), ev.get("knn_top1_k20").asDouble(), 0,
                "re-evaluation of the saved encoder gives the same kNN");

        Result resumed = run("train", "--resume", dir.toString(), "--epochs", "2",
                "--no-progress", "--no-baselines");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming") && resumed.out().contains("epoch 2/2"),
                resumed.out());
        JsonNode m2 = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals(2, m2.get("epoch_loss").size());
    }

    @Test
    void corruptDataGivesOneClearLineAndNoStackTrace() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(Path.of("../data/fashion-mnist").resolve(f), data.resolve(f));
        }
        Path labels = data.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw = new java.util.zip.GZIPInputStream(Files.newInputStream(labels))
                .readAllBytes();
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(labels))) {
            out.write(raw, 0, raw.length - 10);
        }
        Result r = run("train", "--data", data.toString(), "--epochs", "1", "--no-progress",
                "--runs-dir", tmp.resolve("runs").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("t10k-labels-idx1-ubyte.gz") && r.err().contains("truncated"),
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        Result bad = run("train", "--method", "byol", "--runs-dir", tmp.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("byol") && bad.err().contains("simclr"), bad.err());
    }
}
