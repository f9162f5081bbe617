package io.github.selfsup4j.launch;

import io.github.selfsup4j.gloo.RedisStore;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The launcher's options of {@code train} (a picocli mixin), named as torchrun's. With {@code
 * --nproc-per-node} the command becomes a launcher; without it, a process whose environment has
 * {@code RANK} and {@code WORLD_SIZE} joins as a worker ({@link Workers}).
 */
public final class DistributedOptions {

    /** The options a worker never receives (the launcher consumes them). */
    public static final Set<String> NAMES = Set.of("--nproc-per-node", "--nnodes",
            "--node-rank", "--master-addr", "--master-port", "--rdzv", "--rdzv-timeout",
            "--dist-timeout");

    /** torchrun's default store port across machines. */
    static final int DEFAULT_PORT = 29500;

    @Option(names = "--nproc-per-node", paramLabel = "N", description = "Start N worker"
            + " processes on this machine (data parallel, torchrun's conventions; --batch-size is"
            + " per process, the global batch is world size × batch size; compute threads per"
            + " worker = cores / N unless --threads is given).")
    public Integer nprocPerNode;

    @Option(names = "--nnodes", paramLabel = "M", description = "Machines in the run (default"
            + " ${DEFAULT-VALUE}); start the same command on each with its --node-rank.")
    public int nnodes = 1;

    @Option(names = "--node-rank", paramLabel = "R", description = "This machine's rank in"
            + " [0, M) (default ${DEFAULT-VALUE}); node 0 hosts the rendezvous store.")
    public int nodeRank;

    @Option(names = "--master-addr", paramLabel = "HOST", description = "Node 0's address"
            + " (default 127.0.0.1; required with --nnodes > 1).")
    public String masterAddr;

    @Option(names = "--master-port", paramLabel = "P", description = "The rendezvous store's"
            + " port on node 0 (default: a free port on one machine, 29500 across machines).")
    public Integer masterPort;

    @Option(names = "--rdzv", paramLabel = "STORE", description = "Rendezvous: tcp (default,"
            + " a store hosted by rank 0), file:DIR (a directory every machine shares) or"
            + " redis://HOST:PORT (a Redis server, through Gloo's RedisStore); with file or"
            + " redis across machines set SELFSUP4J_RUN_ID to the same new id on each.")
    public String rdzv = "tcp";

    @Option(names = "--rdzv-timeout", paramLabel = "SECONDS", description = "How long ranks"
            + " wait for each other to start (default ${DEFAULT-VALUE}, torchrun's join"
            + " timeout): a rank that never starts is named when it ends.")
    public double rdzvTimeout = 600;

    @Option(names = "--dist-timeout", paramLabel = "SECONDS", description = "Timeout of the"
            + " rendezvous and of every collective call (default ${DEFAULT-VALUE}, as PyTorch's"
            + " Gloo): a dead or stopped rank ends the run within it.")
    public double distTimeout = 1800;

    /** Whether this command starts workers (--nproc-per-node given). */
    public boolean launches() {
        return nprocPerNode != null;
    }

    /**
     * Checks the options; the message names the option and its value.
     *
     * @param given whether an option was given on the command line, by name
     * @throws IllegalArgumentException naming the first bad option
     */
    public void validate(java.util.function.Predicate<String> given) {
        if (!launches()) {
            for (String n : NAMES) {
                if (!n.endsWith("-timeout") && given.test(n)) {
                    throw new IllegalArgumentException(n + " needs --nproc-per-node (it"
                            + " configures the launcher)");
                }
            }
        } else if (nprocPerNode < 1) {
            throw new IllegalArgumentException("--nproc-per-node must be >= 1, got "
                    + nprocPerNode);
        }
        if (nnodes < 1) {
            throw new IllegalArgumentException("--nnodes must be >= 1, got " + nnodes);
        }
        if (nodeRank < 0 || nodeRank >= nnodes) {
            throw new IllegalArgumentException("--node-rank must be in [0, " + nnodes
                    + "), got " + nodeRank);
        }
        if (nnodes > 1 && (masterAddr == null || masterAddr.isBlank())) {
            throw new IllegalArgumentException("--master-addr is required with --nnodes "
                    + nnodes + " (node 0's address, reachable from every machine)");
        }
        if (masterPort != null && (masterPort < 1 || masterPort > 65535)) {
            throw new IllegalArgumentException("--master-port must be in [1, 65535], got "
                    + masterPort);
        }
        if (rdzv.startsWith("redis://")) {
            try {
                RedisStore.parse(rdzv); // the class only parses here: no native library
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--rdzv " + e.getMessage(), e);
            }
        } else if (!rdzv.equals("tcp") && !(rdzv.startsWith("file:") && rdzv.length() > 5)) {
            throw new IllegalArgumentException("--rdzv must be tcp, file:DIR or "
                    + RedisStore.FORM + ", got " + rdzv);
        }
        if (!(distTimeout > 0) || Double.isInfinite(distTimeout)) {
            throw new IllegalArgumentException("--dist-timeout must be a positive number of"
                    + " seconds, got " + distTimeout);
        }
        if (!(rdzvTimeout > 0) || Double.isInfinite(rdzvTimeout)) {
            throw new IllegalArgumentException("--rdzv-timeout must be a positive number of"
                    + " seconds, got " + rdzvTimeout);
        }
    }

    /** The collective calls' timeout in milliseconds. */
    public long timeoutMillis() {
        return Math.max(1, Math.round(distTimeout * 1000));
    }

    /** The rendezvous timeout in milliseconds. */
    public long rendezvousMillis() {
        return Math.max(1, Math.round(rdzvTimeout * 1000));
    }
}
