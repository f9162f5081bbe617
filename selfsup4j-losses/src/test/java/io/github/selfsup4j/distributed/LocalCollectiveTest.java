package io.github.selfsup4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Every operation of {@link LocalCollective} on 3 ranks, against sums written out by hand. */
class LocalCollectiveTest {

    /** Runs {@code op(rank, collective)} on every rank of a 3-rank group, one thread each. */
    static <T> List<T> onThreeRanks(BiFunction<Integer, Collective, T> op) throws Exception {
        List<Collective> group = LocalCollective.group(3, 5);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<T>> f = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int rank = r;
                f.add(pool.submit(() -> op.apply(rank, group.get(rank))));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> x : f) {
                out.add(x.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void float64KeepsEveryBit() throws Exception {
        // 1 + 2^-40 is not a float32: a float32 path would lose the tail
        double tiny = Math.pow(2, -40);
        List<double[]> gathered = onThreeRanks((r, c) -> c.allGather(new double[] {r + tiny}));
        for (double[] g : gathered) {
            assertArrayEquals(new double[] {tiny, 1 + tiny, 2 + tiny}, g, 0.0);
        }
        List<double[]> summed = onThreeRanks((r, c) -> c.allReduceSum(new double[] {1 + tiny, r}));
        for (double[] s : summed) {
            assertArrayEquals(new double[] {3 + 3 * tiny, 3}, s, 0.0);
        }
    }

    @Test
    void reduceScatterGivesEachRankItsBlockOfTheSum() throws Exception {
        // rank r sends [r, 10r, 100r, 1000r, 10000r, 100000r]; the sum is [3, 30, ...] · 1
        List<double[]> d = onThreeRanks((r, c) -> c.reduceScatterSum(
                new double[] {r, 10 * r, 100 * r, 1000 * r, 10000 * r, 100000 * r}));
        assertArrayEquals(new double[] {3, 30}, d.get(0), 0.0);
        assertArrayEquals(new double[] {300, 3000}, d.get(1), 0.0);
        assertArrayEquals(new double[] {30000, 300000}, d.get(2), 0.0);
        List<float[]> f = onThreeRanks((r, c) -> c.reduceScatterSum(new float[] {r, 1, 2 * r}));
        assertArrayEquals(new float[] {3}, f.get(0));
        assertArrayEquals(new float[] {3}, f.get(1));
        assertArrayEquals(new float[] {6}, f.get(2));
    }

    @Test
    void broadcastAndBarrier() throws Exception {
        List<float[]> f = onThreeRanks((r, c) -> {
            c.barrier();
            return c.broadcast(new float[] {r, -r}, 2);
        });
        for (float[] x : f) {
            assertArrayEquals(new float[] {2, -2}, x);
        }
        List<double[]> d = onThreeRanks((r, c) -> c.broadcast(new double[] {r + 0.5}, 1));
        for (double[] x : d) {
            assertArrayEquals(new double[] {1.5}, x, 0.0);
        }
    }

    @Test
    void mismatchedLengthsAndTypesAreRejectedOnEveryRank() throws Exception {
        List<String> msgs = onThreeRanks((r, c) -> {
            try {
                c.allReduceSum(new float[r == 1 ? 2 : 3]);
                return "no error";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        for (String m : msgs) {
            assertTrue(m.contains("same length"), m);
        }
        List<String> types = onThreeRanks((r, c) -> {
            try {
                if (r == 0) {
                    c.allGather(new double[1]);
                } else {
                    c.allGather(new float[1]);
                }
                return "no error";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        for (String m : types) {
            assertTrue(m.contains("same length and type"), m);
        }
    }

    @Test
    void badArgumentsNameTheValue() {
        Collective c = LocalCollective.group(2, 1).get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.reduceScatterSum(new float[3]));
        assertTrue(e.getMessage().contains("length 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.broadcast(new double[1], 2));
        assertTrue(e.getMessage().contains("got 2"), e.getMessage());
    }

    @Test
    void aMissingRankTimesOut() {
        Collective c = LocalCollective.group(2, 1).get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, c::barrier);
        assertTrue(e.getMessage().contains("within 1 s"), e.getMessage());
    }

    @Test
    void singleProcessCollective() throws ExecutionException {
        Collective c = Collective.single();
        assertArrayEquals(new double[] {1, 2}, c.allGather(new double[] {1, 2}), 0.0);
        assertArrayEquals(new double[] {3}, c.reduceScatterSum(new double[] {3}), 0.0);
        assertArrayEquals(new float[] {4}, c.broadcast(new float[] {4}, 0));
        assertEquals(1, c.worldSize());
        c.barrier();
        assertThrows(IllegalArgumentException.class, () -> c.broadcast(new float[1], 1));
    }
}
