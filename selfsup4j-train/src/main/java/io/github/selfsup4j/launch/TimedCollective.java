package io.github.selfsup4j.launch;

import io.github.selfsup4j.distributed.Collective;
import java.util.function.Supplier;

/**
 * A {@link Collective} that counts the time spent inside its calls: the communication of a
 * step plus the time waiting for the slowest rank (what a rank loses to running in a group).
 */
public final class TimedCollective implements Collective, AutoCloseable {

    private final Collective inner;
    private long nanos;
    private long calls;

    /** Wraps {@code inner}. */
    public TimedCollective(Collective inner) {
        this.inner = inner;
    }

    /** Seconds spent inside collective calls so far. */
    public synchronized double seconds() {
        return nanos / 1e9;
    }

    /** Collective calls so far. */
    public synchronized long calls() {
        return calls;
    }

    private <T> T timed(Supplier<T> call) {
        long t0 = System.nanoTime();
        try {
            return call.get();
        } finally {
            synchronized (this) {
                nanos += System.nanoTime() - t0;
                calls++;
            }
        }
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int worldSize() {
        return inner.worldSize();
    }

    @Override
    public float[] allGather(float[] local) {
        return timed(() -> inner.allGather(local));
    }

    @Override
    public double[] allGather(double[] local) {
        return timed(() -> inner.allGather(local));
    }

    @Override
    public float[] allReduceSum(float[] values) {
        return timed(() -> inner.allReduceSum(values));
    }

    @Override
    public double[] allReduceSum(double[] values) {
        return timed(() -> inner.allReduceSum(values));
    }

    @Override
    public float[] reduceScatterSum(float[] values) {
        return timed(() -> inner.reduceScatterSum(values));
    }

    @Override
    public double[] reduceScatterSum(double[] values) {
        return timed(() -> inner.reduceScatterSum(values));
    }

    @Override
    public float[] broadcast(float[] values, int root) {
        return timed(() -> inner.broadcast(values, root));
    }

    @Override
    public double[] broadcast(double[] values, int root) {
        return timed(() -> inner.broadcast(values, root));
    }

    @Override
    public void barrier() {
        timed(() -> {
            inner.barrier();
            return null;
        });
    }

    @Override
    public void close() throws Exception {
        if (inner instanceof AutoCloseable c) {
            c.close();
        }
    }
}
