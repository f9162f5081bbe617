package io.github.selfsup4j.gloo;

import java.time.Duration;
import java.util.List;

/**
 * One rank of a test group, in its own JVM: joins with {@link GlooCollective#fromEnvironment}
 * and runs a scenario, printing results on standard output.
 */
public final class GlooWorker {

    private GlooWorker() {}

    public static void main(String[] args) throws Exception {
        long timeoutMs = Long.parseLong(System.getenv("GLOO_TEST_TIMEOUT_MS"));
        GlooCollective c;
        try {
            c = GlooCollective.fromEnvironment(System.getenv(), Duration.ofMillis(timeoutMs));
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            return;
        }
        try (c) {
            System.out.println("JOINED");
            switch (args[0]) {
                case "join" -> c.barrier();
                case "ops" -> print(OpsScript.run(c));
                case "losses" -> print(LossScript.onRank(c));
                case "loop" -> loop(c);
                case "loop-then-linger" -> {
                    loop(c); // then stay alive with the group open, as a slow-exiting rank
                    Thread.sleep(60_000);
                }
                case "broadcasts" -> broadcasts(c);
                default -> throw new IllegalArgumentException("scenario " + args[0]);
            }
            System.out.println("DONE");
        }
        System.out.flush();
    }

    private static void print(List<String> lines) {
        for (String l : lines) {
            System.out.println("OUT " + l);
        }
    }

    /**
     * Rank 0 broadcasts 64 MB until a peer fails: more than loopback's socket buffers hold, so
     * the root spends most of its time waiting on sends whose writes have stalled.
     */
    private static void broadcasts(GlooCollective c) {
        float[] v = new float[16 << 20];
        untilFailure(() -> c.broadcast(v, 0));
    }

    /** Runs {@code call} until it throws; READY after the first call, FAILED with the error. */
    private static void untilFailure(Runnable call) {
        boolean ready = false;
        try {
            while (true) {
                call.run();
                if (!ready) {
                    System.out.println("READY");
                    System.out.flush();
                    ready = true;
                }
            }
        } catch (IllegalStateException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
        }
    }

    /** All-reduces until a peer fails, then shows that the group stays broken. */
    private static void loop(GlooCollective c) {
        float[] v = new float[1000];
        untilFailure(() -> c.allReduceSum(v));
        long start = System.nanoTime();
        try {
            c.barrier();
            System.out.println("THEN no error");
        } catch (IllegalStateException e) {
            System.out.println("THEN " + (System.nanoTime() - start) / 1_000_000 + " ms "
                    + e.getMessage());
        }
    }
}
