package io.github.selfsup4j.gloo;

import io.github.selfsup4j.distributed.Collective;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A {@link Collective} over real processes: Gloo's TCP transport through a JNI shim (one C++
 * file over Debian's {@code libgloo-dev}).
 *
 * <p>Start one process per rank, as {@code torchrun} would, and call {@link #fromEnvironment()}
 * in each: it reads {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}
 * (and {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}). Rank 0 hosts a {@link TcpStore} at {@code
 * MASTER_PORT} for the rendezvous; {@code SELFSUP4J_STORE=file:DIR} uses a shared directory
 * instead, {@code SELFSUP4J_STORE=redis://HOST:PORT} a Redis server through Gloo's own {@link
 * RedisStore} (then {@code SELFSUP4J_RUN_ID} or {@code TORCHELASTIC_RUN_ID} must name the run:
 * its files or keys live under that id, so that a restarted run with a new id never reads the
 * last one's, and a reused id is refused at once). The network interface comes from {@code
 * SELFSUP4J_SOCKET_IFNAME} or {@code GLOO_SOCKET_IFNAME}, else it is the local address that routes
 * to {@code MASTER_ADDR} (Gloo's own default resolves the host name, often to 127.0.0.1, which
 * breaks runs across hosts).
 *
 * <p>Every call has a timeout ({@link Builder#optTimeout}). A failure (a peer killed, stopped or
 * unreachable) throws {@link IllegalStateException} naming the operation, this rank and the
 * cause, and marks the group broken: every later call fails at once, since Gloo's context is
 * unusable after an error. Calls are serialised (one at a time per group); arrays are copied
 * through direct buffers that are reused across calls of the same or smaller size.
 *
 * <p>With the loss's gradient computed by {@link io.github.selfsup4j.distributed.GatheredLoss},
 * each rank holds the global loss's gradient for its own rows: parameter gradients are
 * <b>summed</b> across ranks ({@link #allReduceSum}), not averaged.
 */
public final class GlooCollective implements Collective, AutoCloseable {

    private static final String LIBRARY = "libselfsup4j_gloo.so";
    private static final String UNAVAILABLE = loadLibrary();

    private static final int ALLGATHER = 0;
    private static final int ALLREDUCE = 1;
    private static final int REDUCE_SCATTER = 2;
    private static final int BROADCAST = 3;
    private static final int BARRIER = 4;
    private static final String[] OP_NAMES = {
        "allgather", "allreduce", "reduce-scatter", "broadcast", "barrier"
    };
    private static final int FLOAT32 = 0;
    private static final int FLOAT64 = 1;

    private final int rank;
    private final int worldSize;
    private final int localRank;
    private final int localWorldSize;
    private final long timeoutMs;
    private final TcpStore.Server server;
    private long handle;
    private int tag;
    private String broken;
    private ByteBuffer in = ByteBuffer.allocateDirect(0);
    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    private GlooCollective(Builder b, long handle, TcpStore.Server server) {
        this.rank = b.rank;
        this.worldSize = b.worldSize;
        this.localRank = b.localRank;
        this.localWorldSize = b.localWorldSize;
        this.timeoutMs = b.timeout.toMillis();
        this.handle = handle;
        this.server = server;
    }

    /**
     * Why the native shim cannot be used here, or {@code null} when it can: the module was built
     * without {@code libgloo-dev}, or the library failed to load.
     */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@link #fromEnvironment(Map, Duration)} on this process's environment, timeout 60 s. */
    public static GlooCollective fromEnvironment() {
        return fromEnvironment(System.getenv(), Duration.ofSeconds(60));
    }

    /**
     * Joins the group that torchrun's variables describe: {@code RANK}, {@code WORLD_SIZE},
     * {@code MASTER_ADDR}, {@code MASTER_PORT} (required), {@code LOCAL_RANK}, {@code
     * LOCAL_WORLD_SIZE} (optional), {@code SELFSUP4J_STORE} ({@code tcp}, the default, {@code
     * file:DIR} or {@code redis://HOST:PORT}), {@code SELFSUP4J_RUN_ID} or {@code
     * TORCHELASTIC_RUN_ID} (with {@code TORCHELASTIC_RESTART_COUNT} appended when set: torchrun
     * restarts its workers with the same run id), {@code SELFSUP4J_SOCKET_IFNAME} or {@code
     * GLOO_SOCKET_IFNAME}. Collective call: blocks until every rank has joined or the timeout
     * has passed.
     *
     * @throws IllegalArgumentException naming a variable that is missing or malformed
     * @throws IllegalStateException when the rendezvous fails (naming the missing ranks)
     */
    public static GlooCollective fromEnvironment(Map<String, String> env, Duration timeout) {
        return fromEnvironment(env, timeout, timeout);
    }

    /**
     * {@link #fromEnvironment(Map, Duration)} with a rendezvous timeout of its own (a launcher
     * waits longer for ranks to start than for a collective call).
     */
    public static GlooCollective fromEnvironment(Map<String, String> env, Duration timeout,
            Duration rendezvousTimeout) {
        Builder b = builder().setRank(intVar(env, "RANK", null))
                .setWorldSize(intVar(env, "WORLD_SIZE", null))
                .optMaster(stringVar(env, "MASTER_ADDR"), intVar(env, "MASTER_PORT", null))
                .optTimeout(timeout)
                .optRendezvousTimeout(rendezvousTimeout);
        if (env.get("LOCAL_RANK") != null || env.get("LOCAL_WORLD_SIZE") != null) {
            b.optLocal(intVar(env, "LOCAL_RANK", 0), intVar(env, "LOCAL_WORLD_SIZE", 1));
        }
        String store = env.get("SELFSUP4J_STORE");
        if (store != null && !store.isEmpty() && !store.equals("tcp")) {
            b.optStore(store);
        }
        String runId = env.getOrDefault("SELFSUP4J_RUN_ID", env.get("TORCHELASTIC_RUN_ID"));
        if (runId != null && !runId.isEmpty()) {
            // torchrun restarts its workers with the same run id and the next restart count:
            // each attempt gets keys and files of its own
            String restart = env.get("TORCHELASTIC_RESTART_COUNT");
            if (restart != null && !restart.isBlank()) {
                runId += "-restart" + intVar(env, "TORCHELASTIC_RESTART_COUNT", null);
            }
            b.optRunId(runId);
        }
        String ifname = env.getOrDefault("SELFSUP4J_SOCKET_IFNAME", env.get("GLOO_SOCKET_IFNAME"));
        if (ifname != null && !ifname.isEmpty()) {
            b.optInterface(ifname);
        }
        return b.build();
    }

    private static String stringVar(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + name
                    + " is not set (set RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT as torchrun"
                    + " does)");
        }
        return v;
    }

    private static int intVar(Map<String, String> env, String name, Integer fallback) {
        String v = env.get(name);
        if ((v == null || v.isEmpty()) && fallback != null) {
            return fallback;
        }
        v = stringVar(env, name);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "environment variable " + name + " must be an integer, got " + v, e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    /** The rank among the processes on this host ({@code LOCAL_RANK}; 0 when not given). */
    public int localRank() {
        return localRank;
    }

    /** The processes on this host ({@code LOCAL_WORLD_SIZE}; 1 when not given). */
    public int localWorldSize() {
        return localWorldSize;
    }

    @Override
    public float[] allGather(float[] local) {
        return floats(ALLGATHER, local, local.length * worldSize, 0);
    }

    @Override
    public double[] allGather(double[] local) {
        return doubles(ALLGATHER, local, local.length * worldSize, 0);
    }

    @Override
    public float[] allReduceSum(float[] values) {
        return floats(ALLREDUCE, values, values.length, 0);
    }

    @Override
    public double[] allReduceSum(double[] values) {
        return doubles(ALLREDUCE, values, values.length, 0);
    }

    @Override
    public float[] reduceScatterSum(float[] values) {
        Collective.checkScatterLength(values.length, worldSize);
        return floats(REDUCE_SCATTER, values, values.length / worldSize, 0);
    }

    @Override
    public double[] reduceScatterSum(double[] values) {
        Collective.checkScatterLength(values.length, worldSize);
        return doubles(REDUCE_SCATTER, values, values.length / worldSize, 0);
    }

    @Override
    public float[] broadcast(float[] values, int root) {
        Collective.checkRoot(root, worldSize);
        return floats(BROADCAST, values, values.length, root);
    }

    @Override
    public double[] broadcast(double[] values, int root) {
        Collective.checkRoot(root, worldSize);
        return doubles(BROADCAST, values, values.length, root);
    }

    @Override
    public synchronized void barrier() {
        call(BARRIER, FLOAT32, in, 0, 0);
    }

    private synchronized float[] floats(int op, float[] values, int outLength, int root) {
        if (values.length == 0) {
            call(BARRIER, FLOAT32, in, 0, 0); // still a collective call: keep the ranks in step
            return new float[outLength];
        }
        ByteBuffer input = prepare(op, (long) values.length * Float.BYTES,
                (long) outLength * Float.BYTES);
        input.asFloatBuffer().put(values);
        call(op, FLOAT32, input, values.length, root);
        float[] result = new float[outLength];
        out.asFloatBuffer().get(result);
        return result;
    }

    private synchronized double[] doubles(int op, double[] values, int outLength, int root) {
        if (values.length == 0) {
            call(BARRIER, FLOAT64, in, 0, 0);
            return new double[outLength];
        }
        ByteBuffer input = prepare(op, (long) values.length * Double.BYTES,
                (long) outLength * Double.BYTES);
        input.asDoubleBuffer().put(values);
        call(op, FLOAT64, input, values.length, root);
        double[] result = new double[outLength];
        out.asDoubleBuffer().get(result);
        return result;
    }

    /**
     * Grows the direct buffers only when a call needs more than they hold; returns the buffer
     * the input goes to. All-reduce and broadcast work in place, so their input goes straight
     * into the output buffer (one copy of the array fewer; the shim sees one buffer twice).
     */
    private ByteBuffer prepare(int op, long inBytes, long outBytes) {
        if (inBytes > Integer.MAX_VALUE || outBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gloo: arrays over 2 GB per call are not supported, "
                    + "got " + Math.max(inBytes, outBytes) + " bytes");
        }
        if (in.capacity() < inBytes) {
            in = ByteBuffer.allocateDirect((int) inBytes).order(ByteOrder.nativeOrder());
        }
        if (out.capacity() < outBytes) {
            out = ByteBuffer.allocateDirect((int) outBytes).order(ByteOrder.nativeOrder());
        }
        in.clear();
        out.clear();
        return op == ALLREDUCE || op == BROADCAST ? out : in;
    }

    private void call(int op, int dtype, ByteBuffer input, long count, int root) {
        String name = OP_NAMES[op];
        if (handle == 0) {
            throw new IllegalStateException("gloo " + name + " on rank " + rank
                    + ": the group is closed");
        }
        if (broken != null) {
            throw new IllegalStateException("gloo " + name + " on rank " + rank + " of "
                    + worldSize + ": the group is broken by an earlier failure (" + broken
                    + "); start a new group");
        }
        long start = System.nanoTime();
        try {
            run(handle, op, dtype, input, out, count, root, tag++, timeoutMs);
        } catch (RuntimeException e) {
            broken = name + ": " + e.getMessage();
            throw new IllegalStateException("gloo " + name + " failed on rank " + rank + " of "
                    + worldSize + " after " + (System.nanoTime() - start) / 1_000_000 + " ms"
                    + " (timeout " + timeoutMs + " ms): " + e.getMessage(), e);
        }
    }

    /** Closes the connections (and rank 0's store). Not a collective call. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            destroy(handle);
            handle = 0;
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * The local address that routes to {@code host}: connecting a UDP socket sends nothing but
     * makes the kernel pick the outgoing interface.
     */
    static String routeTo(String host, int port) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(InetAddress.getByName(host), port);
            InetAddress local = s.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IllegalStateException("no local address routes to " + host
                        + "; set SELFSUP4J_SOCKET_IFNAME or GLOO_SOCKET_IFNAME");
            }
            return local.getHostAddress();
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve a route to MASTER_ADDR " + host
                    + ": " + e.getMessage() + "; set SELFSUP4J_SOCKET_IFNAME", e);
        }
    }

    private static String loadLibrary() {
        URL url = GlooCollective.class.getResource("/native/" + LIBRARY);
        if (url == null) {
            return "the native shim " + LIBRARY + " was not built (libgloo-dev was missing when "
                    + "the module was built: apt-get install libgloo-dev g++)";
        }
        try {
            Path path;
            if ("file".equals(url.getProtocol())) {
                path = Paths.get(url.toURI());
            } else { // inside a jar: the loader needs a file
                path = Files.createTempFile("selfsup4j_gloo", ".so");
                path.toFile().deleteOnExit();
                try (InputStream s = url.openStream()) {
                    Files.copy(s, path, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.load(path.toString());
            return null;
        } catch (Exception | UnsatisfiedLinkError e) {
            return "the native shim " + url + " failed to load: " + e;
        }
    }

    private static native long connect(int rank, int size, String hostname, String iface,
            long timeoutMs, KeyValueStore store, String prefix, String fileStoreDir);

    private static native void run(long handle, int op, int dtype, ByteBuffer in, ByteBuffer out,
            long count, int root, int tag, long timeoutMs);

    private static native void destroy(long handle);

    /** Describes one rank of a group; {@link #build()} joins it. */
    public static final class Builder {
        private int rank = -1;
        private int worldSize = -1;
        private int localRank;
        private int localWorldSize = 1;
        private String masterAddr;
        private int masterPort = -1;
        private String store = "tcp";
        private String runId;
        private String iface;
        private Duration timeout = Duration.ofSeconds(60);
        private Duration rendezvousTimeout;

        private Builder() {}

        /** This process's rank. Required. */
        public Builder setRank(int rank) {
            this.rank = rank;
            return this;
        }

        /** The number of processes. Required. */
        public Builder setWorldSize(int worldSize) {
            this.worldSize = worldSize;
            return this;
        }

        /**
         * Rank 0's host and the store's port (required for the TCP store; with another store
         * the host still picks the interface Gloo binds).
         */
        public Builder optMaster(String addr, int port) {
            this.masterAddr = addr;
            this.masterPort = port;
            return this;
        }

        /** The rank and count of processes on this host. */
        public Builder optLocal(int localRank, int localWorldSize) {
            this.localRank = localRank;
            this.localWorldSize = localWorldSize;
            return this;
        }

        /**
         * {@code tcp} (default: rank 0 hosts the store), {@code file:DIR} (a shared directory)
         * or {@code redis://HOST:PORT} (a Redis server, through Gloo's RedisStore).
         */
        public Builder optStore(String store) {
            this.store = store;
            return this;
        }

        /** The run's id, the same on every rank; required with a file or Redis store. */
        public Builder optRunId(String runId) {
            this.runId = runId;
            return this;
        }

        /** The network interface Gloo binds (e.g. {@code eth0}); default: the route to master. */
        public Builder optInterface(String iface) {
            this.iface = iface;
            return this;
        }

        /** The timeout of the rendezvous and of every collective call (default 60 s). */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** The timeout of the rendezvous only (default: the call timeout). */
        public Builder optRendezvousTimeout(Duration timeout) {
            this.rendezvousTimeout = timeout;
            return this;
        }

        /**
         * Joins the group: blocks until every rank has joined.
         *
         * @throws IllegalArgumentException naming a bad setting
         * @throws IllegalStateException when the rendezvous fails, naming the missing ranks, or
         *     when the native shim is unavailable (with the reason)
         */
        public GlooCollective build() {
            if (worldSize < 1) {
                throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
            }
            if (rank < 0 || rank >= worldSize) {
                throw new IllegalArgumentException(
                        "rank must be in [0, " + worldSize + "), got " + rank);
            }
            if (localRank < 0 || localWorldSize < 1 || localRank >= localWorldSize) {
                throw new IllegalArgumentException("localRank must be in [0, localWorldSize = "
                        + localWorldSize + "), got " + localRank);
            }
            if (timeout == null || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("timeout must be >= 1 ms, got " + timeout);
            }
            if (rendezvousTimeout != null && rendezvousTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("rendezvous timeout must be >= 1 ms, got "
                        + rendezvousTimeout);
            }
            boolean file = store.startsWith("file:");
            boolean tcp = store.equals("tcp");
            RedisStore.Address redis = null;
            if (store.startsWith("redis://")) {
                try {
                    redis = RedisStore.parse(store);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("store " + e.getMessage(), e);
                }
            } else if (!file && !tcp) {
                throw new IllegalArgumentException("store must be tcp, file:DIR or "
                        + RedisStore.FORM + ", got " + store);
            }
            if (tcp && (masterAddr == null || masterPort < 0 || masterPort > 65535)) {
                throw new IllegalArgumentException("the tcp store needs MASTER_ADDR and a "
                        + "MASTER_PORT in [0, 65535], got " + masterAddr + ":" + masterPort);
            }
            if (!tcp && (runId == null || !runId.matches("[A-Za-z0-9._-]+"))) {
                throw new IllegalArgumentException("a " + (file ? "file" : "Redis") + " store"
                        + " needs a run id of letters, digits, '.', '_' or '-'"
                        + " (SELFSUP4J_RUN_ID), got " + runId);
            }
            if (UNAVAILABLE != null) {
                throw new IllegalStateException("gloo: " + UNAVAILABLE);
            }
            String host = iface != null ? null
                    : masterAddr != null ? routeTo(masterAddr, Math.max(1, masterPort))
                    : redis != null ? routeTo(redis.host(), redis.port())
                    : "127.0.0.1";
            long ms = (rendezvousTimeout != null ? rendezvousTimeout : timeout).toMillis();
            if (redis != null) {
                try (RedisStore keys = RedisStore.connect(redis, ms)) {
                    String prefix = joinThroughRedis(keys, ms);
                    long h = connect(rank, worldSize, host, iface, ms, keys, prefix, null);
                    return new GlooCollective(this, h, null);
                }
            }
            if (file) {
                Path dir = Paths.get(store.substring(5)).resolve(runId);
                joinThroughFiles(dir, ms);
                long h = connect(rank, worldSize, host, iface, ms, null, null, dir.toString());
                return new GlooCollective(this, h, null);
            }
            TcpStore.Server server = rank == 0 ? TcpStore.serve(masterPort) : null;
            try (TcpStore.Client client = TcpStore.connect(masterAddr, masterPort, ms)) {
                String prefix = joinThroughStore(client, ms);
                long h = connect(rank, worldSize, host, iface, ms, client, prefix, null);
                return new GlooCollective(this, h, server);
            } catch (RuntimeException e) {
                if (server != null) {
                    server.close();
                }
                throw e;
            }
        }

        /**
         * Rank 0 publishes a fresh run id (or the given one), every rank announces itself and
         * waits for the others, so that a missing rank is named before Gloo's own rendezvous.
         */
        private String joinThroughStore(TcpStore.Client client, long ms) {
            if (rank == 0) {
                String id = (runId != null ? runId + "-" : "") + UUID.randomUUID();
                client.set("run", id.getBytes(StandardCharsets.UTF_8));
            }
            String id = new String(client.get("run", ms), StandardCharsets.UTF_8);
            client.set(id + "/joined/" + rank, new byte[0]);
            awaitRanks(client, id, ms);
            return id + "/gloo";
        }

        /**
         * The Redis store keeps keys across runs and sets each once, so the run's keys live under
         * its run id: a new run (the launcher makes a fresh id per run) never meets the last
         * one's keys, and a reused id is refused by name before Gloo's own rendezvous.
         */
        private String joinThroughRedis(RedisStore keys, long ms) {
            String id = "selfsup4j/" + runId;
            String mine = id + "/joined/" + rank;
            if (keys.has(mine)) {
                throw new IllegalStateException("gloo rendezvous: run id " + runId + " was"
                        + " already used on " + keys + " (a restarted run?); give each run its"
                        + " own SELFSUP4J_RUN_ID");
            }
            keys.set(mine, new byte[0]);
            awaitRanks(keys, id, ms);
            return id + "/gloo";
        }

        /** Waits until every rank has announced itself under {@code id}, else names the missing. */
        private void awaitRanks(KeyValueStore store, String id, long ms) {
            String[] keys = new String[worldSize];
            for (int r = 0; r < worldSize; r++) {
                keys[r] = id + "/joined/" + r;
            }
            try {
                store.await(keys, ms);
            } catch (IllegalStateException e) {
                throw missingRanks(e.getMessage());
            }
        }

        private void joinThroughFiles(Path dir, long ms) {
            try {
                Files.createDirectories(dir);
                Path mine = dir.resolve("joined-" + rank);
                if (Files.exists(mine)) {
                    throw new IllegalStateException("gloo rendezvous: run id " + runId
                            + " was already used in " + dir.getParent() + " (a restarted run?); "
                            + "give each run its own SELFSUP4J_RUN_ID");
                }
                Files.write(mine, new byte[0]);
                long deadline = System.nanoTime() + ms * 1_000_000L;
                while (true) {
                    List<String> missing = new ArrayList<>();
                    for (int r = 0; r < worldSize; r++) {
                        if (!Files.exists(dir.resolve("joined-" + r))) {
                            missing.add("joined-" + r);
                        }
                    }
                    if (missing.isEmpty()) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw missingRanks(String.join(",", missing));
                    }
                    Thread.sleep(10);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("gloo rendezvous: file store " + dir + ": "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the rendezvous", e);
            }
        }

        private IllegalStateException missingRanks(String detail) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < worldSize; r++) {
                if (detail.matches("(?s).*joined[/-]" + r + "(\\D.*)?")) {
                    missing.add(r);
                }
            }
            return new IllegalStateException("gloo rendezvous failed on rank " + rank + " of "
                    + worldSize + ": rank(s) " + missing + " did not join within "
                    + (rendezvousTimeout != null ? rendezvousTimeout : timeout).toMillis()
                    + " ms (" + detail + ")");
        }
    }
}
