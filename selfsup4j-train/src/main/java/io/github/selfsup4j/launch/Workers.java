package io.github.selfsup4j.launch;

import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.gloo.GlooCollective;
import java.time.Duration;
import java.util.Map;

/**
 * Joins this process to its group when torchrun's variables say it is one rank of several.
 * Gloo's native library is touched only then: a single process never needs it.
 */
public final class Workers {

    /** The timeout the launcher hands its workers, in seconds. */
    static final String TIMEOUT_VAR = "SELFSUP4J_DIST_TIMEOUT";
    /** The launcher's process id: a worker ends when its launcher is gone. */
    static final String LAUNCHER_VAR = "SELFSUP4J_LAUNCHER_PID";

    private Workers() {}

    /** Whether the environment names a world of more than one process. */
    public static boolean distributed(Map<String, String> env) {
        String w = env.get("WORLD_SIZE");
        return w != null && !w.isBlank() && !w.trim().equals("1") && env.get("RANK") != null;
    }

    /**
     * This process's collective: {@link Collective#single()} when the environment has no {@code
     * WORLD_SIZE} above 1, else the Gloo group it describes (a collective call: blocks until
     * every rank has joined or the timeout has passed).
     *
     * @param env the environment
     * @param timeoutMs the rendezvous and per-call timeout when the environment gives none
     *     (the launcher passes its --dist-timeout in {@code SELFSUP4J_DIST_TIMEOUT})
     * @throws IllegalArgumentException naming a missing or malformed variable
     * @throws IllegalStateException when the rendezvous fails or Gloo is unavailable
     */
    public static Collective join(Map<String, String> env, long timeoutMs) {
        if (!distributed(env)) {
            return Collective.single();
        }
        watchLauncher(env);
        long ms = timeoutMs;
        String t = env.get(TIMEOUT_VAR);
        if (t != null && !t.isBlank()) {
            try {
                ms = Math.max(1, Math.round(Double.parseDouble(t.trim()) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("environment variable " + TIMEOUT_VAR
                        + " must be a number of seconds, got " + t, e);
            }
        }
        return gloo(env, Duration.ofMillis(ms));
    }

    /** In its own method so that a single process never loads the Gloo class. */
    private static Collective gloo(Map<String, String> env, Duration timeout) {
        return GlooCollective.fromEnvironment(env, timeout);
    }

    /** Ends this worker at once if the launcher that started it dies (e.g. SIGKILL). */
    private static void watchLauncher(Map<String, String> env) {
        String pid = env.get(LAUNCHER_VAR);
        if (pid == null || pid.isBlank()) {
            return;
        }
        long id = Long.parseLong(pid.trim());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (ProcessHandle.of(id).map(h -> !h.isAlive()).orElse(true)) {
                    System.err.println("selfsup4j worker: the launcher (pid " + id
                            + ") is gone; exiting");
                    Runtime.getRuntime().halt(1);
                }
            }
        }, "selfsup4j-launcher-watch");
        t.setDaemon(true);
        t.start();
    }
}
