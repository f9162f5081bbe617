package io.github.selfsup4j.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher when a rank dies, hangs or never starts: it exits non-zero naming the rank and
 * its error, and no worker JVM outlives it.
 */
class LauncherTest {

    @TempDir
    Path tmp;

    /** A run long enough to be interrupted (50 epochs of 10 steps). */
    static String[] longRun(Path runs, String... more) {
        return Stream.concat(Stream.of("train", "--data", "../data/fashion-mnist", "--limit",
                "1280", "--batch-size", "64", "--width", "16", "--projection-hidden", "64",
                "--projection-dim", "32", "--epochs", "50", "--no-progress", "--threads", "1",
                "--runs-dir", runs.toString()), Stream.of(more)).toArray(String[]::new);
    }

    static long pidOf(ChildJvm launcher, int rank) throws InterruptedException {
        String line = launcher.awaitErrLine(l -> l.startsWith("selfsup4j train: rank " + rank
                + " is pid "), 30);
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** A launcher with two ranks that are training; their pids. */
    private ChildJvm training(String timeout, long[] pids) throws Exception {
        ChildJvm launcher = new ChildJvm(tmp, "launcher", Map.of(), longRun(tmp.resolve("runs"),
                "--nproc-per-node", "2", "--dist-timeout", timeout, "--rdzv-timeout", "60"));
        try {
            pids[0] = pidOf(launcher, 0);
            pids[1] = pidOf(launcher, 1);
            launcher.awaitOutLine(l -> l.startsWith("data parallel: 2 processes"), 60);
            Thread.sleep(500); // inside the training steps
            return launcher;
        } catch (Exception | AssertionError e) {
            launcher.close();
            throw e;
        }
    }

    @Test
    void aKilledRankEndsTheRunAndIsNamed() throws Exception {
        ChildJvm.assumeGloo();
        long[] pids = new long[2];
        try (ChildJvm launcher = training("5", pids)) {
            long rank0 = pids[0];
            long rank1 = pids[1];
            long killed = System.nanoTime();
            ProcessHandle.of(rank1).orElseThrow().destroyForcibly(); // SIGKILL
            assertEquals(1, launcher.await(30), launcher.err());
            double seconds = (System.nanoTime() - killed) / 1e9;
            String err = launcher.err();
            assertTrue(err.contains("selfsup4j train: rank 1 (pid " + rank1 + ") failed with exit"
                    + " code 137 (signal 9)"), err);
            assertTrue(err.contains("stopped the other ranks"), err);
            // rank 0 sees the closed connection within milliseconds and fails by itself
            assertTrue(seconds < 5, "the launcher ended " + seconds + " s after the kill");
            assertFalse(alive(rank0), "rank 0 outlived the launcher");
        }
    }

    @Test
    void aStoppedRankEndsTheRunAtTheTimeout() throws Exception {
        ChildJvm.assumeGloo();
        long[] pids = new long[2];
        try (ChildJvm launcher = training("3", pids)) {
            long rank0 = pids[0];
            long rank1 = pids[1];
            long stopped = System.nanoTime();
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(rank1)).start()
                    .waitFor());
            assertEquals(1, launcher.await(30), launcher.err());
            double seconds = (System.nanoTime() - stopped) / 1e9;
            String err = launcher.err();
            // rank 0's collective times out (3 s), then the launcher stops rank 1: SIGTERM
            // stays pending on a stopped process, SIGKILL after the grace period ends it
            assertTrue(err.contains("selfsup4j train: rank 0 (pid " + rank0 + ") failed"), err);
            assertTrue(err.contains("(timeout 3000 ms)"), err);
            assertTrue(seconds >= 3 && seconds < 3 + Launcher.GRACE_MS / 1000.0 + 5,
                    "the launcher ended " + seconds + " s after the stop");
            assertFalse(alive(rank0), "rank 0 outlived the launcher");
            assertFalse(alive(rank1), "rank 1 outlived the launcher");
        }
    }

    @Test
    void aRankThatNeverStartsIsNamed() throws Exception {
        ChildJvm.assumeGloo();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // node 0 of 2; node 1 is never started
        try (ChildJvm launcher = new ChildJvm(tmp, "launcher", Map.of(), longRun(
                tmp.resolve("runs"), "--nproc-per-node", "1", "--nnodes", "2", "--node-rank",
                "0", "--master-addr", "127.0.0.1", "--master-port", Integer.toString(port),
                "--rdzv-timeout", "3"))) {
            assertEquals(1, launcher.await(60), launcher.err());
            String err = launcher.err();
            assertTrue(err.contains("selfsup4j train: rank 0 (pid "), err);
            assertTrue(err.contains("rank(s) [1] did not join within 3000 ms"), err);
        }
    }

    @Test
    void workersGetTheArgumentsWithoutTheLauncherOptions() {
        assertEquals(List.of("--epochs", "2", "--threads", "1", "--limit=512"),
                Launcher.withoutLauncherOptions(List.of("--nproc-per-node", "2", "--epochs",
                        "2", "--master-port=1234", "--threads", "1", "--rdzv", "file:/tmp/x",
                        "--limit=512", "--dist-timeout", "5", "--rdzv-timeout=9")));
    }
}
