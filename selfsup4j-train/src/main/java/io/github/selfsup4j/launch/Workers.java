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
    /** The rendezvous timeout the launcher hands its workers, in seconds. */
    static final String RDZV_TIMEOUT_VAR = "SELFSUP4J_RDZV_TIMEOUT";
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
     * WORLD_SIZE} above 1, else the Gloo group it describes, in a {@link TimedCollective} (a
     * collective call: blocks until every rank has joined or the timeout has passed).
     *
     * @param env the environment
     * @param timeoutMs the per-call timeout when the environment gives none (the launcher
     *     passes its --dist-timeout in {@code SELFSUP4J_DIST_TIMEOUT})
     * @param rendezvousMs the rendezvous timeout when the environment gives none ({@code
     *     SELFSUP4J_RDZV_TIMEOUT})
     * @throws IllegalArgumentException naming a missing or malformed variable
     * @throws IllegalStateException when the rendezvous fails or Gloo is unavailable
     */
    public static Collective join(Map<String, String> env, long timeoutMs, long rendezvousMs) {
        if (!distributed(env)) {
            return Collective.single();
        }
        watchLauncher(env);
        return new TimedCollective(gloo(env,
                Duration.ofMillis(millis(env, TIMEOUT_VAR, timeoutMs)),
                Duration.ofMillis(millis(env, RDZV_TIMEOUT_VAR, rendezvousMs))));
    }

    private static long millis(Map<String, String> env, String name, long fallback) {
        String t = env.get(name);
        if (t == null || t.isBlank()) {
            return fallback;
        }
        try {
            double s = Double.parseDouble(t.trim());
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new NumberFormatException("not positive");
            }
            return Math.max(1, Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("environment variable " + name
                    + " must be a positive number of seconds, got " + t, e);
        }
    }

    /** In its own method so that a single process never loads the Gloo class. */
    private static Collective gloo(Map<String, String> env, Duration timeout,
            Duration rendezvous) {
        return GlooCollective.fromEnvironment(env, timeout, rendezvous);
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
