package io.github.selfsup4j.launch;

import io.github.selfsup4j.gloo.RedisStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code train --nproc-per-node N}: starts N worker JVMs on this machine (the same class path,
 * JVM options and arguments, without the launcher's options) with torchrun's environment, and
 * watches them. Rank 0's standard output is passed through; every rank's standard error is
 * passed through with a {@code [rank r]} prefix. When a rank exits with a non-zero status, the
 * others are stopped (SIGTERM, a grace period, then SIGKILL) and the launcher exits with status
 * 1, naming the rank and its last error line. A worker also ends when the launcher dies.
 */
public final class Launcher {

    /** How long stopped workers get between SIGTERM and SIGKILL. */
    static final long GRACE_MS = 5000;

    private final DistributedOptions d;
    private final List<String> workerArgs;
    private final PrintStream out;
    private final PrintStream err;
    private final List<Process> workers = new ArrayList<>();
    private final List<Deque<String>> lastErrors = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private final List<long[]> exitedAt = new ArrayList<>();

    private Launcher(DistributedOptions d, List<String> workerArgs, PrintStream out,
            PrintStream err) {
        this.d = d;
        this.workerArgs = workerArgs;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the workers of this node until they all end.
     *
     * @param d the launcher's options (validated)
     * @param trainArgs the {@code train} arguments as given, with or without the leading {@code
     *     train} (the launcher's options are removed)
     * @param threadsGiven whether {@code --threads} was given (else each worker gets cores / N)
     * @return the exit status: 0 when every rank succeeded, else 1
     */
    public static int launch(DistributedOptions d, List<String> trainArgs, boolean threadsGiven,
            PrintStream out, PrintStream err) {
        List<String> given = trainArgs;
        if (!given.isEmpty() && given.get(0).equals("train")) {
            given = given.subList(1, given.size()); // the whole command line (through Main)
        }
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(withoutLauncherOptions(given));
        if (!threadsGiven) {
            int cores = Runtime.getRuntime().availableProcessors();
            args.add("--threads");
            args.add(Integer.toString(Math.max(1, cores / d.nprocPerNode)));
        }
        Launcher l = new Launcher(d, args, out, err);
        Thread hook = new Thread(l::stopAll, "selfsup4j-launcher-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return l.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook stops the workers
            }
        }
    }

    /** The arguments without the launcher's options and their values. */
    static List<String> withoutLauncherOptions(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (DistributedOptions.NAMES.contains(name)) {
                if (eq < 0) {
                    i++; // its value
                }
                continue;
            }
            kept.add(a);
        }
        return kept;
    }

    private int run() {
        int n = d.nprocPerNode;
        int world = n * d.nnodes;
        String addr = d.masterAddr != null ? d.masterAddr : "127.0.0.1";
        int port;
        try {
            port = d.masterPort != null ? d.masterPort
                    : d.nnodes == 1 ? freePort() : DistributedOptions.DEFAULT_PORT;
        } catch (IOException e) {
            err.println("selfsup4j train: no free port for the rendezvous store: "
                    + e.getMessage());
            return 1;
        }
        if (d.rdzv.startsWith("redis://")) {
            String why = RedisStore.unavailableReason();
            if (why != null) {
                err.println("selfsup4j train: --rdzv " + d.rdzv + " is refused: " + why);
                return 2;
            }
        }
        String runId = System.getenv("SELFSUP4J_RUN_ID");
        if (runId == null || runId.isBlank()) {
            if (d.nnodes > 1 && !d.rdzv.equals("tcp")) {
                err.println("selfsup4j train: --rdzv " + d.rdzv + " across machines needs"
                        + " SELFSUP4J_RUN_ID, the same new id on every machine");
                return 2;
            }
            runId = UUID.randomUUID().toString();
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java";
        List<String> jvm = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) {
                jvm.add(a);
            }
        }
        String store = d.rdzv.equals("tcp") ? "tcp at " + addr + ":" + port
                : d.rdzv + ", run id " + runId;
        err.printf("selfsup4j train: starting %d worker%s on node %d of %d (world size %d,"
                + " rendezvous %s, timeout %.0f s)%n", n, n == 1 ? "" : "s", d.nodeRank,
                d.nnodes, world, store, d.distTimeout);
        try {
            for (int local = 0; local < n; local++) {
                int rank = d.nodeRank * n + local;
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvm);
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add("io.github.selfsup4j.cli.Main");
                cmd.addAll(workerArgs);
                ProcessBuilder pb = new ProcessBuilder(cmd);
                Map<String, String> env = pb.environment();
                env.put("RANK", Integer.toString(rank));
                env.put("LOCAL_RANK", Integer.toString(local));
                env.put("WORLD_SIZE", Integer.toString(world));
                env.put("LOCAL_WORLD_SIZE", Integer.toString(n));
                env.put("GROUP_RANK", Integer.toString(d.nodeRank));
                env.put("MASTER_ADDR", addr);
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("SELFSUP4J_STORE", d.rdzv);
                env.put("SELFSUP4J_RUN_ID", runId);
                env.put(Workers.TIMEOUT_VAR, Double.toString(d.distTimeout));
                env.put(Workers.RDZV_TIMEOUT_VAR, Double.toString(d.rdzvTimeout));
                env.put(Workers.LAUNCHER_VAR, Long.toString(ProcessHandle.current().pid()));
                Process p = pb.start();
                synchronized (workers) {
                    workers.add(p);
                }
                long[] at = {Long.MAX_VALUE};
                exitedAt.add(at);
                p.onExit().thenRun(() -> {
                    synchronized (at) {
                        at[0] = System.nanoTime();
                    }
                });
                Deque<String> last = new ArrayDeque<>();
                lastErrors.add(last);
                err.printf("selfsup4j train: rank %d is pid %d%n", rank, p.pid());
                pump(p.getInputStream(), local == 0 && d.nodeRank == 0 ? out : null, null, null);
                pump(p.getErrorStream(), err, "[rank " + rank + "] ", last);
            }
        } catch (IOException e) {
            err.println("selfsup4j train: starting a worker failed: " + e.getMessage());
            stopAll();
            return 1;
        }
        return watch();
    }

    /**
     * Waits for every worker; on the first failure stops the others. When several ranks have
     * failed by the time the failure is seen (a killed rank makes its peers fail within
     * milliseconds), the one that exited first is named.
     */
    private int watch() {
        int n = workers.size();
        while (true) {
            int failed = -1;
            boolean allDone = true;
            for (int i = 0; i < n; i++) {
                Process p = workers.get(i);
                if (p.isAlive()) {
                    allDone = false;
                } else if (p.exitValue() != 0 && (failed < 0 || exitTime(i) < exitTime(failed))) {
                    failed = i;
                }
            }
            if (failed >= 0) {
                Process p = workers.get(failed);
                int rank = d.nodeRank * d.nprocPerNode + failed;
                stopAll();
                drain();
                String why = lastError(failed);
                err.printf("selfsup4j train: rank %d (pid %d) failed with exit code %d%s;"
                        + " stopped the other ranks on this node%n", rank, p.pid(),
                        p.exitValue(), describe(p.exitValue()) + (why.isEmpty() ? ""
                                : ": " + why));
                return 1;
            }
            if (allDone) {
                drain();
                return 0;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopAll();
                return 1;
            }
        }
    }

    private long exitTime(int i) {
        long[] at = exitedAt.get(i);
        synchronized (at) {
            return at[0];
        }
    }

    private static String describe(int code) {
        return code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
    }

    /** The rank's last error line that says something (not a stack frame). */
    private String lastError(int i) {
        Deque<String> last = lastErrors.get(i);
        synchronized (last) {
            List<String> lines = new ArrayList<>(last);
            for (int k = lines.size() - 1; k >= 0; k--) {
                String s = lines.get(k).trim();
                if (!s.isEmpty() && !s.startsWith("at ") && !s.startsWith("...")) {
                    return s;
                }
            }
        }
        return "";
    }

    /** SIGTERM to every live worker, a grace period, then SIGKILL. Safe to call twice. */
    void stopAll() {
        List<Process> ps;
        synchronized (workers) {
            ps = new ArrayList<>(workers);
        }
        for (Process p : ps) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        long deadline = System.nanoTime() + GRACE_MS * 1_000_000L;
        for (Process p : ps) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lets the output threads pass on what the workers wrote last. */
    private void drain() {
        for (Thread t : pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pump(java.io.InputStream in, PrintStream to, String prefix, Deque<String> last) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
                    StandardCharsets.UTF_8))) {
                for (String s; (s = r.readLine()) != null; ) {
                    if (to != null) {
                        synchronized (to) {
                            to.println(prefix == null ? s : prefix + s);
                        }
                    }
                    if (last != null) {
                        synchronized (last) {
                            last.addLast(s);
                            if (last.size() > 50) {
                                last.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the worker is gone
            }
        }, "selfsup4j-launcher-output");
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
