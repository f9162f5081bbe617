package io.github.selfsup4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.selfsup4j.data.IdxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code selfsup4j gan} end to end on a few hundred images with one compute thread: files of a
 * run, samples as IDX and PNG, repeatable seeds, bit-exact resume, scoring an IDX file, and every
 * option rejected up front.
 */
class GanCommandTest {

    @TempDir
    static Path runs; // shared: the scoring classifier is trained once and cached here

    @TempDir
    Path tmp;

    static final String[] SMALL = {"--limit", "256", "--batch-size", "32", "--g-width", "16",
        "--d-width", "16", "--eval-samples", "128", "--kid-subsets", "2",
        "--classifier-epochs", "1", "--threads", "1", "--no-progress", "--data",
        "../data/fashion-mnist"};

    static TrainCommandTest.Result gan(String... more) {
        String[] args = Stream.concat(Stream.of("gan", "--runs-dir", runs.toString()),
                Stream.concat(Stream.of(SMALL), Stream.of(more))).toArray(String[]::new);
        return TrainCommandTest.run(args);
    }

    static Path runDir(TrainCommandTest.Result r) {
        for (String line : r.out().split("\n")) {
            if (line.startsWith("run directory: ")) {
                return Path.of(line.substring("run directory: ".length()).trim());
            }
        }
        throw new AssertionError("no run directory in: " + r.out());
    }

    static byte[] sample(Path dir, Path out, String... more) throws Exception {
        String[] args = Stream.concat(Stream.of("gan", "sample", dir.toString(), "--count", "20",
                "--out", out.toString()), Stream.of(more)).toArray(String[]::new);
        TrainCommandTest.Result r = TrainCommandTest.run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        return Files.readAllBytes(out);
    }

    @Test
    void trainsWritesItsFilesAndSamplesReadBackRepeatably() throws Exception {
        TrainCommandTest.Result r = gan("--epochs", "2", "--loss", "hinge", "--spectral-norm");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        assertTrue(r.out().contains("d_real") && r.out().contains("g_loss"), r.out());
        Path dir = runDir(r);
        assertTrue(dir.getFileName().toString().endsWith("-gan-hinge"), dir.toString());
        for (String f : List.of("metrics.json", "loss.png", "samples-epoch-001.png",
                "samples-epoch-002.png", "samples.png", "checkpoint.bin")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals("hinge", m.get("hyperparameters").get("loss").asText());
        assertEquals(2, m.get("epoch_d_loss").size());
        assertEquals(2, m.get("epoch_scalars").get("g_loss").size());
        double fd = m.get("frechet_distance").asDouble();
        double floor = m.get("floor_real_train").get("frechet_distance").asDouble();
        double ceiling = m.get("ceiling_untrained_generator").get("frechet_distance").asDouble();
        assertTrue(Double.isFinite(fd) && fd > 0, "fd " + fd);
        assertTrue(floor < ceiling, "real images must score better than an untrained"
                + " generator: floor " + floor + ", ceiling " + ceiling);
        assertEquals(10, m.get("scores").get("class_fractions").size());
        assertEquals(1.0, sum(m.get("scores").get("class_fractions")), 1e-9);
        assertTrue(m.get("train_seconds").asDouble() > 0);
        assertTrue(m.get("wall_seconds").asDouble() >= m.get("train_seconds").asDouble());

        byte[] a = sample(dir, tmp.resolve("a.idx"));
        IdxReader.Idx idx = IdxReader.read(tmp.resolve("a.idx"), 3);
        assertArrayEquals(new int[] {20, 28, 28}, idx.dims());
        assertArrayEquals(a, sample(dir, tmp.resolve("b.idx")), "same seed, same samples");
        assertFalse(java.util.Arrays.equals(a, sample(dir, tmp.resolve("c.idx"), "--seed", "7")),
                "another seed, other samples");
        assertFalse(java.util.Arrays.equals(a, sample(dir, tmp.resolve("d.idx"), "--no-ema")),
                "the moving average is not the trained generator");
        sample(dir, tmp.resolve("e.idx.gz"));
        assertArrayEquals(idx.data(), IdxReader.read(tmp.resolve("e.idx.gz"), 3).data());
        sample(dir, tmp.resolve("grid.png"));
        assertTrue(javax.imageio.ImageIO.read(tmp.resolve("grid.png").toFile()).getWidth() > 28);

        // the samples scored as a file from elsewhere give the run's own kind of report
        sample(dir, tmp.resolve("f.idx"));
        TrainCommandTest.Result s = TrainCommandTest.run("gan", "score",
                tmp.resolve("f.idx").toString(), "--runs-dir", runs.toString(), "--limit", "256",
                "--classifier-epochs", "1", "--kid-subsets", "2", "--data",
                "../data/fashion-mnist");
        assertEquals(0, s.code(), s.out() + s.err());
        assertTrue(s.out().contains("test accuracy") && s.out().contains("(cached)"),
                "the run's classifier, read from the cache: " + s.out());
        assertTrue(s.out().contains("\"frechet_distance\""), s.out());
        // one image has no covariance: refused in one line, before the classifier is loaded
        assertEquals(0, TrainCommandTest.run("gan", "sample", dir.toString(), "--count", "1",
                "--out", tmp.resolve("one.idx").toString()).code());
        TrainCommandTest.Result one = TrainCommandTest.run("gan", "score",
                tmp.resolve("one.idx").toString(), "--runs-dir", runs.toString());
        assertEquals(2, one.code(), one.out() + one.err());
        assertEquals(1, one.err().strip().lines().count(), one.err());
        assertTrue(one.err().contains("at least 2 images"), one.err());
    }

    private static double sum(JsonNode fractions) {
        double s = 0;
        for (JsonNode v : fractions) {
            s += v.asDouble();
        }
        return s;
    }

    @Test
    void resumedRunEndsBitForBitAsAnUninterruptedOne() throws Exception {
        TrainCommandTest.Result whole = gan("--epochs", "2", "--loss", "wgan-gp",
                "--d-steps", "3");
        assertEquals(0, whole.code(), whole.out() + whole.err());
        TrainCommandTest.Result first = gan("--epochs", "1", "--loss", "wgan-gp",
                "--d-steps", "3");
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("wasserstein") && first.out().contains("gp"),
                first.out());
        Path dir = runDir(first);
        TrainCommandTest.Result rest = TrainCommandTest.run("gan", "--resume", dir.toString(),
                "--epochs", "2", "--threads", "1", "--no-progress", "--runs-dir",
                runs.toString());
        assertEquals(0, rest.code(), rest.out() + rest.err());
        assertTrue(rest.out().contains("resuming"), rest.out());
        Path wholeDir = runDir(whole);
        assertArrayEquals(sample(wholeDir, tmp.resolve("w.idx")), sample(dir,
                tmp.resolve("r.idx")), "moving average");
        assertArrayEquals(sample(wholeDir, tmp.resolve("w2.idx"), "--no-ema"), sample(dir,
                tmp.resolve("r2.idx"), "--no-ema"), "trained generator");
        JsonNode a = new ObjectMapper().readTree(wholeDir.resolve("metrics.json").toFile());
        JsonNode b = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals(a.get("step_d_loss"), b.get("step_d_loss"), "discriminator losses");
        assertEquals(a.get("frechet_distance"), b.get("frechet_distance"));

        TrainCommandTest.Result conflict = TrainCommandTest.run("gan", "--resume",
                dir.toString(), "--loss", "hinge", "--runs-dir", runs.toString());
        assertEquals(2, conflict.code());
        assertTrue(conflict.err().contains("--loss hinge (the run has wgan-gp)"),
                conflict.err());
    }

    @Test
    void everyBadOptionIsRejectedUpFrontWithOneLine() throws Exception {
        String[][] bad = {
            {"--loss", "lsgan"}, {"--epochs", "0"}, {"--batch-size", "1"}, {"--lr-g", "0"},
            {"--lr-d", "-1"}, {"--lr-d", "NaN"}, {"--beta1", "1"}, {"--beta2", "-0.1"},
            {"--d-steps", "-1"}, {"--gp-lambda", "-1"}, {"--z-dim", "0"}, {"--g-width", "8"},
            {"--d-width", "4"}, {"--ema", "1"}, {"--eval-samples", "1"}, {"--kid-subsets", "0"},
            {"--classifier-epochs", "0"}, {"--limit", "-1"}, {"--threads", "-1"},
            {"--data", tmp.resolve("missing").toString()}, {"--epochs", "x"},
            {"--no-such-option"}, {"--batch-size", "1000"},
        };
        for (String[] b : bad) {
            TrainCommandTest.Result r = gan(b);
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.out() + r.err());
            String line = r.err().strip();
            assertEquals(1, line.lines().count(), line);
            assertTrue(line.contains(b[0]) || b[0].equals("--data") && line.contains("missing"),
                    String.join(" ", b) + ": " + line);
        }
        TrainCommandTest.Result r = TrainCommandTest.run("gan", "--runs-dir", runs.toString(),
                "--resume", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume"), r.err());
        for (String[] b : new String[][] {{"--count", "0"}, {"--out", "x.jpg"}}) {
            String[] args = Stream.concat(Stream.of("gan", "sample", tmp.toString(), "--out",
                    "x.idx"), Stream.of(b)).toArray(String[]::new);
            TrainCommandTest.Result s = TrainCommandTest.run(args);
            assertEquals(2, s.code(), s.err());
            assertTrue(s.err().contains(b[0]), s.err());
        }
        TrainCommandTest.Result noRun = TrainCommandTest.run("gan", "sample", tmp.toString(),
                "--out", tmp.resolve("x.idx").toString());
        assertEquals(2, noRun.code());
        assertTrue(noRun.err().contains("checkpoint"), noRun.err());
        // score takes the scoring options only: a training option is unknown there
        for (String[] b : new String[][] {{"--eval-samples", "1"}, {"--kid-subsets", "0"},
            {"--classifier-epochs", "0"}, {"--threads", "-1"}, {"--loss", "hinge"},
            {"--epochs", "2"}}) {
            String[] args = Stream.concat(Stream.of("gan", "score", tmp.resolve("x.idx")
                    .toString()), Stream.of(b)).toArray(String[]::new);
            TrainCommandTest.Result s = TrainCommandTest.run(args);
            assertEquals(2, s.code(), String.join(" ", b) + ": " + s.err());
            assertEquals(1, s.err().strip().lines().count(), s.err());
            assertTrue(s.err().contains(b[0]), s.err());
        }
    }
}
