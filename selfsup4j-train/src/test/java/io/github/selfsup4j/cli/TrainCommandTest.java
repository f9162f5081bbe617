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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        Result bad = run("train", "--method", "byol2", "--lambda", "1", "--runs-dir",
                tmp.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--method byol2") && bad.err().contains("simclr"),
                bad.err());
    }

    /** A bad value for every option of every method's train command. */
    static final Map<String, String> BAD = new LinkedHashMap<>();

    static {
        BAD.put("--method", "vgg");
        BAD.put("--epochs", "0");
        BAD.put("--batch-size", "1");
        BAD.put("--optimizer", "adagrad");
        BAD.put("--lr", "-1");
        BAD.put("--weight-decay", "-0.5");
        BAD.put("--momentum", "1.5");
        BAD.put("--lars-trust", "0");
        BAD.put("--warmup-epochs", "NaN");
        BAD.put("--encoder", "vgg");
        BAD.put("--width", "8");
        BAD.put("--pool-grid", "3");
        BAD.put("--projection-hidden", "0");
        BAD.put("--projection-dim", "-4");
        BAD.put("--projection-layers", "5");
        BAD.put("--crop-min-scale", "1.5");
        BAD.put("--flip-probability", "2");
        BAD.put("--jitter-probability", "-0.1");
        BAD.put("--brightness", "3");
        BAD.put("--contrast", "-1");
        BAD.put("--noise-std", "-0.5");
        BAD.put("--seed", "abc");
        BAD.put("--data", "/no/such/dir");
        BAD.put("--limit", "100");
        BAD.put("--validation", "-5");
        BAD.put("--probe-epochs", "0");
        BAD.put("--eval-batch", "0");
        BAD.put("--augment-threads", "0");
        BAD.put("--threads", "-2");
        BAD.put("--runs-dir", "");
        BAD.put("--resume", "/no/such/run");
        BAD.put("--temperature", "-1");
        BAD.put("--pairs-per-sample", "0");
        BAD.put("--tau-plus", "1");
        BAD.put("--beta", "-2");
        BAD.put("--estimator", "medium");
        BAD.put("--lambda", "-0.1");
        BAD.put("--sim-coeff", "Infinity");
        BAD.put("--std-coeff", "-25");
        BAD.put("--cov-coeff", "-1");
        BAD.put("--queue-size", "0");
        BAD.put("--moco-momentum", "1.01");
        BAD.put("--moco-splits", "0");
        BAD.put("--byol-momentum", "-0.5");
        BAD.put("--predictor-hidden", "0");
        BAD.put("--norm", "group");
        BAD.put("--nproc-per-node", "0");
        BAD.put("--nnodes", "0");
        BAD.put("--node-rank", "3");
        BAD.put("--master-addr", "");
        BAD.put("--master-port", "70000");
        BAD.put("--rdzv", "redis://host-without-port");
        BAD.put("--dist-timeout", "0");
        BAD.put("--rdzv-timeout", "-1");
        BAD.put("--protocol", "half");
        BAD.put("--classes-per-batch", "1");
        BAD.put("--samples-per-class", "0");
        BAD.put("--embedding-dim", "0");
        BAD.put("--miner", "medium");
        BAD.put("--margin", "-1");
        BAD.put("--pos-margin", "-1");
        BAD.put("--alpha", "0");
        BAD.put("--base", "NaN");
    }

    /** Launcher options are checked with the launcher on (and --master-addr with 2 nodes). */
    static final Map<String, List<String>> WITH = Map.of(
            "--nnodes", List.of("--nproc-per-node", "1"),
            "--node-rank", List.of("--nproc-per-node", "1"),
            "--master-addr", List.of("--nproc-per-node", "1", "--nnodes", "2"),
            "--master-port", List.of("--nproc-per-node", "1"),
            "--rdzv", List.of("--nproc-per-node", "1"));

    /** Options that take no value or that only print (help, version, flags). */
    static final Set<String> NO_VALUE = Set.of("--help", "--version", "--no-progress",
            "--no-baselines");

    @Test
    void everyOptionOfEveryMethodIsCheckedUpFrontWithOneLine() {
        // every option the train command has, for every method, must appear in BAD: a new
        // option without a bad-value case fails here
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (String method : MetricMethods.allNames()) {
            picocli.CommandLine cl = Main.commandLine("train", "--method", method);
            for (picocli.CommandLine.Model.OptionSpec o : cl.getSubcommands().get("train")
                    .getCommandSpec().options()) {
                String name = o.longestName();
                if (NO_VALUE.contains(name)) {
                    continue;
                }
                seen.add(name);
                assertTrue(BAD.containsKey(name), "no bad-value case for " + name);
            }
        }
        assertEquals(new java.util.TreeSet<>(BAD.keySet()), seen, "cases for removed options");
        for (Map.Entry<String, String> e : BAD.entrySet()) {
            String option = e.getKey();
            String method = methodOf(option);
            List<String> a = new java.util.ArrayList<>(List.of("train"));
            if (!option.equals("--method")) {
                a.addAll(List.of("--method", method, "--runs-dir",
                        tmp.resolve("never").toString()));
            }
            a.addAll(WITH.getOrDefault(option, List.of()));
            a.addAll(List.of(option, e.getValue()));
            Result r = run(a.toArray(new String[0]));
            assertEquals(2, r.code(), option + " " + e.getValue() + ": " + r.out() + r.err());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(err.contains(option), "names the option: " + err);
            assertTrue(e.getValue().isEmpty() || err.contains(e.getValue()),
                    "names the value: " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), err);
            assertFalse(Files.exists(tmp.resolve("never")), "nothing written for " + option);
        }
    }

    /** A method that has the option. */
    static String methodOf(String option) {
        for (String m : MetricMethods.allNames()) {
            if (Main.commandLine("train", "--method", m).getSubcommands().get("train")
                    .getCommandSpec().findOption(option) != null) {
                return m;
            }
        }
        throw new AssertionError(option);
    }

    @Test
    void resumeRejectsOptionsThatConflictWithTheRunAndAcceptsTheOthers() throws Exception {
        Result first = run(args(new String[] {"train", "--runs-dir", tmp.toString(), "--epochs",
            "1", "--no-baselines"}, SMALL));
        assertEquals(0, first.code(), first.out() + first.err());
        Path dir;
        try (Stream<Path> s = Files.list(tmp)) {
            dir = s.findFirst().orElseThrow();
        }
        byte[] checkpoint = Files.readAllBytes(dir.resolve("checkpoint.bin"));
        Result bad = run("train", "--resume", dir.toString(), "--temperature", "0.3",
                "--batch-size", "32", "--width", "16", "--epochs", "2");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--temperature 0.3 (the run has 0.5)")
                && bad.err().contains("--batch-size 32 (the run has 64)"), bad.err());
        String conflicts = bad.err().substring(0, bad.err().indexOf(" differ from the run"));
        assertFalse(conflicts.contains("--width") || conflicts.contains("--epochs"),
                "the same value and an option that may change are no conflict: " + bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(java.util.Arrays.equals(checkpoint, Files.readAllBytes(
                dir.resolve("checkpoint.bin"))), "a rejected resume leaves the run untouched");
        Result other = run("train", "--resume", dir.toString(), "--method", "moco");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--method moco (the run has simclr)"), other.err());
        Result metric = run("train", "--resume", dir.toString(), "--method", "triplet");
        assertEquals(2, metric.code(), metric.out() + metric.err());
        assertTrue(metric.err().contains("--method triplet (the run has simclr)"), metric.err());
        assertEquals(1, metric.err().strip().lines().count(), metric.err());
        Result ok = run("train", "--resume", dir.toString(), "--width", "16", "--epochs", "2",
                "--threads", "1", "--no-progress", "--no-baselines");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals(2, m.get("epochs_completed").asInt());
        assertEquals(1, m.get("resumes").size(), m.toString());
        assertEquals(2, m.get("learning_rate_schedule").size(), "a segment for the extension");
        assertEquals(4, m.get("resumes").get(0).get("at_step").asInt());
    }

    @Test
    void aNonFiniteLossKeepsTheLastGoodCheckpointWritesTheFailureAndCanResumeWithALowerLr()
            throws Exception {
        // SGD with a learning rate of 1e30 blows the weights up in its first step; the second
        // step's loss is NaN
        Result r = run(args(new String[] {"train", "--runs-dir", tmp.toString(), "--epochs", "2",
            "--optimizer", "sgd", "--lr", "1e30", "--no-baselines"}, SMALL));
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("NaN") && err.contains("--resume") && err.contains("--lr"), err);
        assertFalse(err.contains("\tat "), err);
        Path dir;
        try (Stream<Path> s = Files.list(tmp)) {
            dir = s.findFirst().orElseThrow();
        }
        JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals("loss", m.get("failure").get("what").asText());
        assertTrue(m.get("failure").get("checkpoint_resumes_at").asText().startsWith("epoch 1"));
        assertFalse(m.has("knn_top1_k20"), "no evaluation of a failed run");
        Result resumed = run("train", "--resume", dir.toString(), "--lr", "0.05",
                "--no-progress", "--no-baselines");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        JsonNode m2 = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertFalse(m2.has("failure"));
        assertEquals(2, m2.get("epochs_completed").asInt());
        for (JsonNode l : m2.get("epoch_loss")) {
            assertTrue(Double.isFinite(l.asDouble()), m2.toString());
        }
        assertEquals(0.05, m2.get("hyperparameters").get("lr").asDouble(), 0);
    }

    @Test
    void runsStartedInTheSameSecondGetTheirOwnDirectories() throws Exception {
        // Regression: the name was chosen by checking that it did not exist and the directory
        // made later, so four runs started together shared one and their checkpoints collided.
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Path>> dirs = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                dirs.add(pool.submit(() -> TrainCommand.newRunDir(tmp, "simclr")));
            }
            Set<Path> distinct = new java.util.HashSet<>();
            for (var f : dirs) {
                Path d = f.get();
                assertTrue(Files.isDirectory(d), d.toString());
                distinct.add(d);
            }
            assertEquals(16, distinct.size(), distinct.toString());
        } finally {
            pool.shutdownNow();
        }
    }
}
