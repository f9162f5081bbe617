package io.github.selfsup4j.distributed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Several ranks in one process, one thread each, exchanging arrays through shared memory. It is
 * used to prove that distributed losses match a single process holding the whole batch, and to
 * run multi-rank code paths without a network.
 */
public final class LocalCollective implements Collective {

    private final Group group;
    private final int rank;

    private LocalCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /**
     * Creates the members of one group; give each to its own thread.
     *
     * @param worldSize the number of ranks
     * @param timeoutSeconds how long a rank waits for the others before failing
     * @return one collective per rank, in rank order
     */
    public static List<Collective> group(int worldSize, long timeoutSeconds) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
        }
        Group g = new Group(worldSize, timeoutSeconds);
        List<Collective> members = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            members.add(new LocalCollective(g, r));
        }
        return Collections.unmodifiableList(members);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return group.slots.length;
    }

    @Override
    public float[] allGather(float[] local) {
        group.slots[rank] = local;
        group.await();
        int n = local.length;
        float[] out = new float[n * group.slots.length];
        for (int r = 0; r < group.slots.length; r++) {
            float[] s = group.slots[r];
            if (s.length != n) {
                group.await();
                throw new IllegalArgumentException(
                        "allGather: rank " + r + " sent " + s.length + " values, rank " + rank
                                + " sent " + n + "; all ranks must send the same length");
            }
            System.arraycopy(s, 0, out, r * n, n);
        }
        group.await();
        return out;
    }

    @Override
    public float[] allReduceSum(float[] values) {
        group.slots[rank] = values;
        group.await();
        float[] out = new float[values.length];
        // Every rank sums in the same rank order, so all ranks get bit-identical results.
        for (float[] s : group.slots) {
            if (s.length != values.length) {
                group.await();
                throw new IllegalArgumentException(
                        "allReduceSum: ranks sent arrays of different lengths (" + s.length
                                + " and " + values.length + ")");
            }
            for (int i = 0; i < out.length; i++) {
                out[i] += s[i];
            }
        }
        group.await();
        return out;
    }

    private static final class Group {
        final float[][] slots;
        final CyclicBarrier barrier;
        final long timeoutSeconds;

        Group(int world, long timeoutSeconds) {
            this.slots = new float[world][];
            this.barrier = new CyclicBarrier(world);
            this.timeoutSeconds = timeoutSeconds;
        }

        void await() {
            try {
                barrier.await(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for other ranks", e);
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException(
                        "a rank did not reach the collective within " + timeoutSeconds + " s", e);
            }
        }
    }
}
