package io.github.selfsup4j.gloo;

/**
 * The rendezvous store Gloo's context reads its peers' addresses from; the native shim calls
 * these methods (a {@code gloo::rendezvous::Store} that forwards to Java).
 */
public interface KeyValueStore {

    /** Stores {@code value} under {@code key}. */
    void set(String key, byte[] value);

    /**
     * The value of {@code key}, waiting up to {@code timeoutMs} for another rank to set it.
     *
     * @throws IllegalStateException naming the key when it is not set in time
     */
    byte[] get(String key, long timeoutMs);

    /**
     * Waits up to {@code timeoutMs} until every key is set.
     *
     * @throws IllegalStateException naming the keys still missing
     */
    void await(String[] keys, long timeoutMs);
}
