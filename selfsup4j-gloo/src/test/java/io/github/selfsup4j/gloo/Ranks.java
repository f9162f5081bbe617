package io.github.selfsup4j.gloo;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real ranks: one child JVM per rank running {@link GlooWorker} with torchrun's variables, on
 * loopback. Lines the children print are timestamped as they arrive. {@link #close()} kills
 * every child (SIGKILL), so no JVM outlives a test.
 */
final class Ranks implements AutoCloseable {

    /** A line a rank printed, with the time it arrived here. */
    record Line(int rank, long nanos, String text) {

        /** Milliseconds from {@code startNanos} (a {@link System#nanoTime()}) to its arrival. */
        long millisAfter(long startNanos) {
            return (nanos - startNanos) / 1_000_000;
        }
    }

    final List<Process> processes = new ArrayList<>();
    final List<BlockingQueue<Line>> lines = new ArrayList<>();
    final List<StringBuilder> stderr = new ArrayList<>();
    final int port;

    /** Skips the calling test when the shim is missing, unless -Dgloo.required=true. */
    static void assumeGloo() {
        String reason = GlooCollective.unavailableReason();
        if (reason != null && Boolean.getBoolean("gloo.required")) {
            throw new AssertionError("gloo.required=true but " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts ranks {@code started} of a group of {@code world}.
     *
     * @param extraEnv more environment for every child
     */
    Ranks(int world, int[] started, String scenario, long timeoutMs, Map<String, String> extraEnv)
            throws IOException {
        port = freePort();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java";
        try {
            for (int rank : started) {
                ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                        "-cp", System.getProperty("java.class.path"),
                        GlooWorker.class.getName(), scenario);
                Map<String, String> env = pb.environment();
                env.put("RANK", Integer.toString(rank));
                env.put("WORLD_SIZE", Integer.toString(world));
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("OMP_NUM_THREADS", "1");
                env.put("GLOO_TEST_TIMEOUT_MS", Long.toString(timeoutMs));
                env.putAll(extraEnv);
                Process p = pb.start();
                processes.add(p);
                BlockingQueue<Line> q = new LinkedBlockingQueue<>();
                lines.add(q);
                StringBuilder err = new StringBuilder();
                stderr.add(err);
                pump(new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8)), rank, q, null);
                pump(new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8)), rank, null, err);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void pump(BufferedReader r, int rank, BlockingQueue<Line> q, StringBuilder sb) {
        Thread t = new Thread(() -> {
            try (r) {
                for (String s; (s = r.readLine()) != null; ) {
                    if (q != null) {
                        q.add(new Line(rank, System.nanoTime(), s));
                    } else {
                        synchronized (sb) {
                            sb.append(s).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** The next line of child {@code i} (in start order) that starts with {@code prefix}. */
    Line await(int i, String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long left = deadline - System.nanoTime();
            Line l = left <= 0 ? null : lines.get(i).poll(left, TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("child " + i + " printed no line starting with " + prefix
                        + " within " + timeoutMs + " ms; stderr:\n" + stderr(i));
            }
            if (l.text().startsWith(prefix)) {
                return l;
            }
        }
    }

    /** Waits for a line starting with {@code prefix} from every child. */
    void awaitAll(String prefix, long timeoutMs) throws InterruptedException {
        for (int i = 0; i < processes.size(); i++) {
            await(i, prefix, timeoutMs);
        }
    }

    /** Every line child {@code i} prints until it exits (within the timeout). */
    List<String> output(int i, long timeoutMs) throws InterruptedException {
        Process p = processes.get(i);
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child " + i + " did not finish within " + timeoutMs
                    + " ms; stderr:\n" + stderr(i));
        }
        Thread.sleep(50); // let the pump drain the pipe
        List<String> out = new ArrayList<>();
        for (Line l : lines.get(i)) {
            out.add(l.text());
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("child " + i + " exited with " + p.exitValue() + "; output "
                    + out + "; stderr:\n" + stderr(i));
        }
        return out;
    }

    String stderr(int i) {
        synchronized (stderr.get(i)) {
            return stderr.get(i).toString();
        }
    }

    /** Sends a signal (KILL, STOP) to child {@code i}. */
    void signal(int i, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal,
                Long.toString(processes.get(i).pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " failed");
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly(); // SIGKILL, works on stopped processes too
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
