package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.nn.Parameter;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingState;
import io.github.selfsup4j.engine.listener.MemoryListener;
import io.github.selfsup4j.engine.listener.MetricsHistory;
import io.github.selfsup4j.eval.Retrieval;
import io.github.selfsup4j.optim.Schedule;
import io.github.selfsup4j.supervised.MetricMethod;
import io.github.selfsup4j.supervised.MetricSetup;
import io.github.selfsup4j.supervised.MetricSpec;
import io.github.selfsup4j.supervised.Protocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} with the metric-learning methods and {@code embed}, end to end, on 320 images. */
class MetricTrainCommandTest {

    @TempDir
    Path tmp;

    static final String[] SMALL = {"--limit", "320", "--classes-per-batch", "4",
        "--samples-per-class", "8", "--width", "16", "--embedding-dim", "16", "--epochs", "1",
        "--eval-batch", "160", "--no-progress", "--data", "../data/fashion-mnist"};

    static final io.github.selfsup4j.data.IdxDataset.Splits DATA =
            io.github.selfsup4j.data.Datasets.load("../data/fashion-mnist", 320);

    private Path train(String method, String... more) throws IOException {
        Path runs = tmp.resolve(method + String.join("", more));
        TrainCommandTest.Result r = TrainCommandTest.run(TrainCommandTest.args(
                TrainCommandTest.args(new String[] {"train", "--method", method, "--runs-dir",
                    runs.toString()}, SMALL), more));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Precision@1"), r.out());
        try (Stream<Path> s = Files.list(runs)) {
            return s.findFirst().orElseThrow();
        }
    }

    private static JsonNode metrics(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    }

    @Test
    void everyMethodTrainsAndEvaluatesUnderBothProtocols() throws Exception {
        for (String method : MetricMethods.names()) {
            String protocol = method.equals("supcon") ? "open" : "closed";
            Path dir = train(method, "--protocol", protocol);
            JsonNode m = metrics(dir);
            assertEquals(method, m.get("method").asText());
            assertEquals(protocol, m.get("protocol").asText());
            for (String key : List.of("precision_at_1", "r_precision", "map_at_r",
                    "knn_accuracy_k20")) {
                double v = m.get(key).asDouble();
                assertTrue(v >= 0 && v <= 1, key + " " + v);
                for (String b : List.of("raw_pixels", "random_encoder")) {
                    double bv = m.get("baselines").get(b).get(key).asDouble();
                    assertTrue(bv >= 0 && bv <= 1, b + " " + key + " " + bv);
                }
            }
            assertTrue(Double.isFinite(m.get("epoch_loss").get(0).asDouble()), m.toString());
            if (method.equals("supcon")) {
                assertEquals(0.1, m.get("hyperparameters").get("temperature").asDouble(), 0);
            }
            assertFalse(m.get("hyperparameters").has("batch_size"), "P×K, not --batch-size");
            assertEquals(4, m.get("hyperparameters").get("classes_per_batch").asInt());
            for (String f : List.of("loss.png", "embedding.png", "checkpoint.bin")) {
                assertTrue(Files.size(dir.resolve(f)) > 1000, f);
            }
            if (protocol.equals("open")) {
                // queries = references = the unseen classes' test images (labels 5..9)
                int unseen = 0;
                for (int y : DATA.test().labels()) {
                    unseen += y >= 5 ? 1 : 0;
                }
                assertEquals(unseen, m.get("queries").asInt());
                assertEquals(unseen, m.get("references").asInt());
            }
        }
    }

    @Test
    void embedWritesWhatTheRunScoredAndReadsBackToTheSameMetrics() throws Exception {
        Path dir = train("triplet", "--no-baselines");
        JsonNode m = metrics(dir);
        Path test = tmp.resolve("e/test.npy");
        Path trainFile = tmp.resolve("e/train.npy");
        TrainCommandTest.Result a = TrainCommandTest.run("embed", dir.toString(), "--out",
                test.toString());
        assertEquals(0, a.code(), a.out() + a.err());
        TrainCommandTest.Result b = TrainCommandTest.run("embed", dir.toString(), "--split",
                "train", "--out", trainFile.toString());
        assertEquals(0, b.code(), b.out() + b.err());
        float[][] q = readFloat32(test);
        float[][] r = readFloat32(trainFile);
        long[] ql = readInt64(tmp.resolve("e/test.labels.npy"));
        long[] rl = readInt64(tmp.resolve("e/train.labels.npy"));
        assertEquals(320, q.length);
        assertEquals(16, q[0].length);
        Retrieval.Result res = Retrieval.evaluate(q, toInt(ql), r, toInt(rl), false,
                Retrieval.Metric.COSINE, 20);
        assertEquals(m.get("precision_at_1").asDouble(), res.precisionAt1(), 1e-12);
        assertEquals(m.get("r_precision").asDouble(), res.rPrecision(), 1e-12);
        assertEquals(m.get("map_at_r").asDouble(), res.mapAtR(), 1e-12);
        assertEquals(m.get("knn_accuracy_k20").asDouble(), res.knnAccuracy(), 1e-12);
        assertArrayEquals(DATA.test().labels(), toInt(ql));

        Path csv = tmp.resolve("e/test.csv");
        TrainCommandTest.Result c = TrainCommandTest.run("embed", dir.toString(), "--out",
                csv.toString());
        assertEquals(0, c.code(), c.out() + c.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(321, lines.size());
        String[] first = lines.get(1).split(",");
        assertEquals(17, first.length);
        assertEquals(q[0][3], Float.parseFloat(first[3]), 0f);
        assertEquals(ql[0], Long.parseLong(first[16]));

        TrainCommandTest.Result ev = TrainCommandTest.run("eval", dir.toString(),
                "--no-baselines");
        assertEquals(0, ev.code(), ev.out() + ev.err());
        JsonNode e = new ObjectMapper().readTree(dir.resolve("eval.json").toFile());
        assertEquals(m.get("map_at_r").asDouble(), e.get("map_at_r").asDouble(), 0,
                "eval of the saved network gives the run's MAP@R");

        TrainCommandTest.Result bad = TrainCommandTest.run("embed", dir.toString(), "--split",
                "val", "--out", csv.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--split val"), bad.err());
    }

    @Test
    void embedWritesTheEncoderFeaturesOfASelfSupervisedRun() throws Exception {
        Path runs = tmp.resolve("ssl");
        TrainCommandTest.Result r = TrainCommandTest.run(TrainCommandTest.args(new String[] {
            "train", "--runs-dir", runs.toString(), "--epochs", "1", "--no-baselines"},
                TrainCommandTest.SMALL));
        assertEquals(0, r.code(), r.out() + r.err());
        Path dir;
        try (Stream<Path> s = Files.list(runs)) {
            dir = s.findFirst().orElseThrow();
        }
        Path out = tmp.resolve("ssl.npy");
        TrainCommandTest.Result e = TrainCommandTest.run("embed", dir.toString(), "--out",
                out.toString());
        assertEquals(0, e.code(), e.out() + e.err());
        float[][] f = readFloat32(out);
        assertEquals(256, f.length);
        assertEquals(4 * 16 * 4, f[0].length, "small-cnn width 16, 2×2 grid: 256 features");
        assertEquals(256, readInt64(tmp.resolve("ssl.labels.npy")).length);
    }

    @Test
    void sslOnlyOptionsAreRefusedForMetricMethods() {
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--method", "triplet",
                "--batch-size", "64", "--runs-dir", tmp.resolve("never").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch-size 64") && r.err().contains("--classes-per-batch"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void aRunResumedToMoreEpochsEndsBitForBitAsAnUninterruptedOneAndConflictsAreRefused()
            throws Exception {
        // one compute thread (PyTorch's threaded reductions are not bitwise repeatable), and a
        // warm-up longer than both runs: a rate that does not depend on the planned length, so
        // a 1-epoch run extended to 2 follows the plan of a 2-epoch run step for step
        String[] same = {"--threads", "1", "--no-baselines", "--warmup-epochs", "2"};
        Path dir = run(tmp.resolve("resumed"), 1, same);
        Path whole = run(tmp.resolve("whole"), 2, same);
        byte[] checkpoint = Files.readAllBytes(dir.resolve("checkpoint.bin"));

        // options that differ from the run are refused in one line; the same value and the
        // options a resume may change are no conflict
        TrainCommandTest.Result bad = TrainCommandTest.run("train", "--resume", dir.toString(),
                "--embedding-dim", "32", "--margin", "0.55", "--classes-per-batch", "4",
                "--epochs", "3", "--lr", "1e-3");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--embedding-dim 32 (the run has 16)")
                && bad.err().contains("--margin 0.55 (the run has "
                        + new io.github.selfsup4j.supervised.Triplet.Options().margin + ")"),
                bad.err());
        String conflicts = bad.err().substring(0, bad.err().indexOf(" differ from the run"));
        assertFalse(conflicts.contains("--classes-per-batch") || conflicts.contains("--epochs")
                || conflicts.contains("--lr"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        TrainCommandTest.Result other = TrainCommandTest.run("train", "--resume",
                dir.toString(), "--method", "simclr");
        assertEquals(2, other.code(), other.out() + other.err());
        assertTrue(other.err().contains("--method simclr (the run has triplet)"), other.err());
        TrainCommandTest.Result sslOnly = TrainCommandTest.run("train", "--resume",
                dir.toString(), "--batch-size", "64");
        assertEquals(2, sslOnly.code(), sslOnly.out() + sslOnly.err());
        assertTrue(sslOnly.err().contains("--batch-size 64: does not apply"), sslOnly.err());
        TrainCommandTest.Result zero = TrainCommandTest.run("train", "--resume", dir.toString(),
                "--epochs", "0");
        assertEquals(2, zero.code(), zero.out() + zero.err());
        assertTrue(zero.err().contains("--epochs 0"), zero.err());
        assertArrayEquals(checkpoint, Files.readAllBytes(dir.resolve("checkpoint.bin")),
                "a refused resume leaves the run untouched");

        TrainCommandTest.Result rest = TrainCommandTest.run("train", "--resume", dir.toString(),
                "--epochs", "2", "--threads", "1", "--no-progress", "--no-baselines");
        assertEquals(0, rest.code(), rest.out() + rest.err());
        assertTrue(rest.out().contains("resuming " + dir + " at epoch 1 of 2")
                && rest.out().contains("epoch 2/2"), rest.out());
        int perEpoch = 320 / 32;
        RunConfig config = RunConfig.fromJson(Checkpoint.config(dir));
        double peak = config.options.lr();
        assertEquals(List.of(new Schedule.Segment(0, perEpoch, peak), new Schedule.Segment(
                perEpoch, 2L * perEpoch, peak)), config.schedule,
                "the extension is a segment of the plan from where the run stopped");
        JsonNode m = metrics(dir);
        JsonNode w = metrics(whole);
        assertEquals(2, m.get("epochs_completed").asInt());
        assertEquals(perEpoch, m.get("resumes").get(0).get("at_step").asInt(), m.toString());
        assertEquals(2 * perEpoch, w.get("step_loss").size());
        assertEquals(w.get("step_loss"), m.get("step_loss"), "the loss of every step");
        assertEquals(w.get("map_at_r"), m.get("map_at_r"));
        Map<String, float[]> a = parameters(whole);
        Map<String, float[]> b = parameters(dir);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), 0f, k);
        }
    }

    @Test
    void aStopRequestSavesTheRunWhereItIsAndTheRunResumesFromThere() throws Exception {
        // a child JVM trains a long run; SIGTERM (as Ctrl-C) once an epoch is done
        Path runs = tmp.resolve("stopped");
        int perEpoch = 2000 / 32;
        TrainingState saved = new TrainingState(50, perEpoch);
        try (io.github.selfsup4j.launch.ChildJvm child = new io.github.selfsup4j.launch.ChildJvm(
                tmp, "child", Map.of(), "train", "--method", "triplet", "--runs-dir",
                runs.toString(), "--limit", "2000", "--classes-per-batch", "4",
                "--samples-per-class", "8", "--width", "16", "--embedding-dim", "16",
                "--epochs", "50", "--threads", "1", "--no-progress", "--data",
                Path.of("../data/fashion-mnist").toAbsolutePath().toString())) {
            child.awaitOutLine(l -> l.startsWith("epoch 1/50"), 120);
            child.process().destroy();
            child.await(60);
            Path dir;
            try (Stream<Path> s = Files.list(runs)) {
                dir = s.findFirst().orElseThrow();
            }
            RunConfig c = RunConfig.fromJson(Checkpoint.config(dir));
            MetricSpec<?> spec = MetricMethods.find(c.method);
            Protocol.Split split = c.metric.protocol.split(
                    io.github.selfsup4j.data.Datasets.load(c.options.data, c.options.limit),
                    c.options.validation, c.options.seed);
            try (MetricMethod job = spec.create(MetricSetup.of(c.options, c.metric,
                    split.train()), c.methodOptions(spec.optionsClass()))) {
                Checkpoint.read(dir, MetricTrainCommand.parts(Stateful.deferred(() -> saved),
                        new MetricsHistory(), new MemoryListener(), job));
            }
            // the signal comes within a few steps of the second epoch's start; a checkpoint
            // of an epoch's end (what a killed run keeps) would resume at its batch 0
            assertTrue(saved.epoch() >= 1 && saved.epoch() < 50 && saved.nextBatch() > 0,
                    "saved where it stopped, in an epoch: epoch " + saved.epoch() + " batch "
                            + saved.nextBatch() + "\n" + child.out() + child.err());
            // the rest of the epoch it stopped in (fewer epochs than planned), from there
            int epochs = saved.epoch() + 1;
            TrainCommandTest.Result rest = TrainCommandTest.run("train", "--resume",
                    dir.toString(), "--epochs", String.valueOf(epochs), "--no-progress",
                    "--no-baselines");
            assertEquals(0, rest.code(), rest.out() + rest.err());
            assertTrue(rest.out().contains("resuming " + dir + " at epoch " + saved.epoch()
                    + " of " + epochs), rest.out());
            JsonNode m = metrics(dir);
            assertEquals(epochs, m.get("epochs_completed").asInt());
            assertEquals((long) epochs * perEpoch, m.get("step_loss").size(),
                    "every step once: those before the stop and the rest");
        }
    }

    /** Trains triplet with SMALL, its epochs and more options into runs; the run directory. */
    private static Path run(Path runs, int epochs, String... more) throws IOException {
        String[] small = SMALL.clone();
        small[List.of(small).indexOf("--epochs") + 1] = String.valueOf(epochs);
        TrainCommandTest.Result r = TrainCommandTest.run(TrainCommandTest.args(
                TrainCommandTest.args(new String[] {"train", "--method", "triplet",
                    "--runs-dir", runs.toString()}, small), more));
        assertEquals(0, r.code(), r.out() + r.err());
        try (Stream<Path> s = Files.list(runs)) {
            return s.findFirst().orElseThrow();
        }
    }

    /** The trained parameters in a metric run's checkpoint. */
    private static Map<String, float[]> parameters(Path dir) throws IOException {
        RunConfig c = RunConfig.fromJson(Checkpoint.config(dir));
        MetricSpec<?> spec = MetricMethods.find(c.method);
        Protocol.Split split = c.metric.protocol.split(DATA, c.options.validation,
                c.options.seed);
        Map<String, float[]> out = new java.util.TreeMap<>();
        try (MetricMethod job = spec.create(MetricSetup.of(c.options, c.metric, split.train()),
                c.methodOptions(spec.optionsClass()))) {
            Checkpoint.read(dir, MetricTrainCommand.parts(Stateful.deferred(
                    () -> new TrainingState(1, 1)), new MetricsHistory(), new MemoryListener(),
                    job));
            for (Map.Entry<String, Parameter> e : job.trainableParameters().entrySet()) {
                out.put(e.getKey(), e.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    private static int[] toInt(long[] v) {
        int[] o = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = Math.toIntExact(v[i]);
        }
        return o;
    }

    /** The NumPy header's shape and the data behind it. */
    private static ByteBuffer npy(Path file, String descr, int[] shape) throws IOException {
        byte[] all = Files.readAllBytes(file);
        assertEquals((byte) 0x93, all[0]);
        assertEquals("NUMPY", new String(all, 1, 5, StandardCharsets.US_ASCII));
        int headerLen = (all[8] & 0xff) | (all[9] & 0xff) << 8;
        String header = new String(all, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '" + descr + "'"), header);
        Matcher sh = Pattern.compile("'shape': \\((\\d+),\\s*(\\d*)\\)").matcher(header);
        assertTrue(sh.find(), header);
        shape[0] = Integer.parseInt(sh.group(1));
        shape[1] = sh.group(2).isEmpty() ? 1 : Integer.parseInt(sh.group(2));
        return ByteBuffer.wrap(all, 10 + headerLen, all.length - 10 - headerLen).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    static float[][] readFloat32(Path file) throws IOException {
        int[] shape = new int[2];
        ByteBuffer b = npy(file, "<f4", shape);
        float[][] out = new float[shape[0]][shape[1]];
        for (float[] row : out) {
            for (int j = 0; j < row.length; j++) {
                row[j] = b.getFloat();
            }
        }
        return out;
    }

    static long[] readInt64(Path file) throws IOException {
        int[] shape = new int[2];
        ByteBuffer b = npy(file, "<i8", shape);
        long[] out = new long[shape[0]];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong();
        }
        return out;
    }
}
