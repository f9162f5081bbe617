package io.github.selfsup4j.distributed;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Several ranks in one process, one thread each, exchanging arrays through shared memory. Sums
 * run in rank order on every rank. It is used to prove that distributed losses match a single process holding the whole batch, and to
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
        return (float[]) exchange("allGather", local, local.length, this::gather);
    }

    @Override
    public double[] allGather(double[] local) {
        return (double[]) exchange("allGather", local, local.length, this::gather);
    }

    @Override
    public float[] allReduceSum(float[] values) {
        return (float[]) exchange("allReduceSum", values, values.length,
                slots -> sumFloat(slots, 0, values.length));
    }

    @Override
    public double[] allReduceSum(double[] values) {
        return (double[]) exchange("allReduceSum", values, values.length,
                slots -> sumDouble(slots, 0, values.length));
    }

    @Override
    public float[] reduceScatterSum(float[] values) {
        Collective.checkScatterLength(values.length, worldSize());
        int block = values.length / worldSize();
        return (float[]) exchange("reduceScatterSum", values, values.length,
                slots -> sumFloat(slots, rank * block, block));
    }

    @Override
    public double[] reduceScatterSum(double[] values) {
        Collective.checkScatterLength(values.length, worldSize());
        int block = values.length / worldSize();
        return (double[]) exchange("reduceScatterSum", values, values.length,
                slots -> sumDouble(slots, rank * block, block));
    }

    @Override
    public float[] broadcast(float[] values, int root) {
        Collective.checkRoot(root, worldSize());
        return (float[]) exchange("broadcast", values, values.length,
                slots -> ((float[]) slots[root]).clone());
    }

    @Override
    public double[] broadcast(double[] values, int root) {
        Collective.checkRoot(root, worldSize());
        return (double[]) exchange("broadcast", values, values.length,
                slots -> ((double[]) slots[root]).clone());
    }

    @Override
    public void barrier() {
        exchange("barrier", new float[0], 0, slots -> null);
    }

    /**
     * Publishes this rank's array, waits for every rank, checks that all sent arrays of the
     * same type and length, combines them, and waits again so that no slot is overwritten while
     * another rank still reads it.
     */
    private Object exchange(String op, Object mine, int length,
            Function<Object[], Object> combine) {
        group.slots[rank] = mine;
        group.await();
        Object out = null;
        RuntimeException bad = null;
        for (int r = 0; r < group.slots.length && bad == null; r++) {
            Object s = group.slots[r];
            if (s.getClass() != mine.getClass() || Array.getLength(s) != length) {
                bad = new IllegalArgumentException(
                        op + ": rank " + r + " sent " + Array.getLength(s) + " "
                                + s.getClass().getComponentType() + " values, rank " + rank
                                + " sent " + length + " " + mine.getClass().getComponentType()
                                + "; all ranks must send the same length and type");
            }
        }
        if (bad == null) {
            out = combine.apply(group.slots);
        }
        group.await();
        if (bad != null) {
            throw bad;
        }
        return out;
    }

    private Object gather(Object[] slots) {
        int n = Array.getLength(slots[rank]);
        Object out = Array.newInstance(
                slots[rank].getClass().getComponentType(), n * slots.length);
        for (int r = 0; r < slots.length; r++) {
            System.arraycopy(slots[r], 0, out, r * n, n);
        }
        return out;
    }

    // Every rank sums in rank order, so all ranks get bit-identical results.
    private static float[] sumFloat(Object[] slots, int from, int length) {
        float[] out = new float[length];
        for (Object o : slots) {
            float[] s = (float[]) o;
            for (int i = 0; i < length; i++) {
                out[i] += s[from + i];
            }
        }
        return out;
    }

    private static double[] sumDouble(Object[] slots, int from, int length) {
        double[] out = new double[length];
        for (Object o : slots) {
            double[] s = (double[]) o;
            for (int i = 0; i < length; i++) {
                out[i] += s[from + i];
            }
        }
        return out;
    }

    private static final class Group {
        final Object[] slots;
        final CyclicBarrier barrier;
        final long timeoutSeconds;

        Group(int world, long timeoutSeconds) {
            this.slots = new Object[world];
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
