package io.github.selfsup4j.launch;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.selfsup4j.gloo.GlooCollective;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code selfsup4j} in a child JVM with this test's class path (the launcher passes its class
 * path and JVM options on to its workers). Output goes to files; {@link #close()} kills the child
 * (SIGKILL) so that no JVM outlives a test.
 */
public final class ChildJvm implements AutoCloseable {

    /** Small and fast JVMs: the machine has 2 cores. */
    static final List<String> JVM = List.of("-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true");

    private final Process process;
    private final Path out;
    private final Path err;

    /**
     * Starts {@code selfsup4j ARGS} with standard output and error in {@code dir/name.out} and
     * {@code .err}.
     */
    public ChildJvm(Path dir, String name, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java");
        cmd.addAll(JVM);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.github.selfsup4j.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        for (String v : List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                "MASTER_ADDR", "MASTER_PORT")) {
            if (!env.containsKey(v)) {
                pb.environment().remove(v); // a test never joins a group by accident
            }
        }
        Files.createDirectories(dir);
        out = dir.resolve(name + ".out");
        err = dir.resolve(name + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        process = pb.start();
    }

    /** Skips the calling test when Gloo's shim is missing, unless -Dgloo.required=true. */
    public static void assumeGloo() {
        String reason = GlooCollective.unavailableReason();
        if (reason != null && Boolean.getBoolean("gloo.required")) {
            throw new AssertionError("gloo.required=true but " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** Waits for the exit status; fails the test (and kills the child) after the timeout. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not finish within " + seconds + " s;\n"
                    + "stdout:\n" + out() + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    /** Waits until standard error has a line matching {@code test}; returns it. */
    public String awaitErrLine(Predicate<String> test, long seconds) throws InterruptedException {
        return awaitLine(err, test, seconds);
    }

    /** Waits until standard output has a line matching {@code test}; returns it. */
    public String awaitOutLine(Predicate<String> test, long seconds)
            throws InterruptedException {
        return awaitLine(out, test, seconds);
    }

    private String awaitLine(Path file, Predicate<String> test, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            boolean alive = process.isAlive(); // read once more after the child ended
            for (String l : read(file).split("\n")) {
                if (test.test(l)) {
                    return l;
                }
            }
            if (!alive || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such line within " + seconds + " s; stdout:\n" + out()
                + "\nstderr:\n" + err());
    }

    /** Standard output so far. */
    public String out() {
        return read(out);
    }

    /** Standard error so far. */
    public String err() {
        return read(err);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
