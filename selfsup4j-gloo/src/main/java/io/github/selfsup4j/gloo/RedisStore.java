package io.github.selfsup4j.gloo;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The rendezvous on a Redis server ({@code redis://HOST:PORT}): Gloo's own {@code
 * gloo::rendezvous::RedisStore} (hiredis) through the native shim. Gloo sets keys with {@code
 * SETNX}, so a key set by an earlier run makes a later {@code set} fail ("Key already set"):
 * {@link GlooCollective} therefore puts each run's keys under a prefix of its own run id.
 *
 * <p>Waits poll {@code EXISTS} every 10 ms up to the caller's timeout (Gloo's own {@code get}
 * would wait its fixed default). Not thread-safe: one rank's rendezvous uses it from one thread.
 */
public final class RedisStore implements KeyValueStore, AutoCloseable {

    /** The form {@code --rdzv} and {@code SELFSUP4J_STORE} take for Redis. */
    public static final String FORM = "redis://HOST:PORT";

    private final String url;
    private long handle;

    private RedisStore(String url, long handle) {
        this.url = url;
        this.handle = handle;
    }

    /** A Redis server's address. */
    public record Address(String host, int port) {
        @Override
        public String toString() {
            return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses {@code redis://HOST:PORT} (no user, password, database or path: Gloo's RedisStore
     * has none).
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Address parse(String url) {
        String why = "must be " + FORM + " (a port in [1, 65535]; no user, password, database"
                + " or path)";
        if (url == null || !url.startsWith("redis://")) {
            throw new IllegalArgumentException(why + ", got " + url);
        }
        try {
            URI u = new URI(url);
            String host = u.getHost();
            boolean extra = u.getRawUserInfo() != null || u.getRawQuery() != null
                    || u.getRawFragment() != null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty());
            if (host == null || host.isEmpty() || u.getPort() < 1 || u.getPort() > 65535
                    || extra) {
                throw new IllegalArgumentException(why + ", got " + url);
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Address(host, u.getPort());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(why + ", got " + url, e);
        }
    }

    /**
     * Why {@code redis://} cannot be used in this process, or {@code null} when it can: the shim
     * is unavailable, or it was built without Redis (libhiredis-dev or a Gloo built with Redis
     * was missing when the module was built).
     */
    public static String unavailableReason() {
        String gloo = GlooCollective.unavailableReason();
        if (gloo != null) {
            return gloo;
        }
        return redisSupported() ? null : "the native shim was built without Redis support"
                + " (libhiredis-dev, or a libgloo-dev built with Redis, was missing when the"
                + " module was built); use --rdzv tcp or file:DIR";
    }

    /**
     * Connects, retrying until {@code timeoutMs} has passed (a server that starts after the
     * ranks is waited for, as rank 0's TCP store is; each attempt has Gloo's 2 s connect
     * timeout).
     *
     * @throws IllegalStateException naming the server when it does not answer in time, or when
     *     Redis is unavailable in this build (see {@link #unavailableReason()})
     */
    public static RedisStore connect(Address address, long timeoutMs) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("rendezvous on " + address + ": " + why);
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            try {
                return new RedisStore(address.toString(),
                        redisOpen(address.host(), address.port()));
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("rendezvous: no Redis server answered at "
                            + address + " within " + timeoutMs + " ms: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to " + address, e);
            }
        }
    }

    /**
     * Sets {@code key} once: a key that is already set is an error (Gloo's {@code SETNX}).
     *
     * @throws IllegalStateException naming the key
     */
    @Override
    public synchronized void set(String key, byte[] value) {
        open();
        try {
            redisSet(handle, key, value);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("rendezvous: setting " + key + " on " + url
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} is set. */
    public synchronized boolean has(String key) {
        open();
        return redisCheck(handle, key);
    }

    @Override
    public synchronized byte[] get(String key, long timeoutMs) {
        await(new String[] {key}, timeoutMs);
        return redisGet(handle, key); // set: Gloo's get returns at once
    }

    @Override
    public synchronized void await(String[] keys, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            StringBuilder missing = new StringBuilder();
            for (String k : keys) {
                if (!has(k)) {
                    missing.append(missing.length() == 0 ? "" : ", ").append(k);
                }
            }
            if (missing.length() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("rendezvous: keys not set on " + url
                        + " within " + timeoutMs + " ms: " + missing);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the rendezvous on " + url, e);
            }
        }
    }

    private void open() {
        if (handle == 0) {
            throw new IllegalStateException("the Redis store " + url + " is closed");
        }
    }

    /** Disconnects; the keys stay on the server. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            redisClose(handle);
            handle = 0;
        }
    }

    @Override
    public String toString() {
        return url;
    }

    private static native boolean redisSupported();

    private static native long redisOpen(String host, int port);

    private static native void redisSet(long handle, String key, byte[] value);

    private static native boolean redisCheck(long handle, String key);

    private static native byte[] redisGet(long handle, String key);

    private static native void redisClose(long handle);
}
