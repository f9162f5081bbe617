package io.github.selfsup4j.gloo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.distributed.LocalCollective;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation over real processes (child JVMs on loopback) against {@link LocalCollective}:
 * the transcripts of {@link OpsScript} must be equal, float32 and float64, bit for bit.
 */
class GlooCollectiveTest {

    static List<List<String>> local(int world) throws Exception {
        List<Collective> group = LocalCollective.group(world, 10);
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<List<String>>> f = new ArrayList<>();
            for (Collective c : group) {
                f.add(pool.submit(() -> OpsScript.run(c)));
            }
            List<List<String>> out = new ArrayList<>();
            for (Future<List<String>> x : f) {
                out.add(x.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static void checkOps(int world, Map<String, String> env) throws Exception {
        List<List<String>> expected = local(world);
        int[] all = new int[world];
        for (int r = 0; r < world; r++) {
            all[r] = r;
        }
        try (Ranks ranks = new Ranks(world, all, "ops", 5000, env)) {
            for (int r = 0; r < world; r++) {
                List<String> got = new ArrayList<>();
                for (String l : ranks.output(r, 20000)) {
                    if (l.startsWith("OUT ")) {
                        got.add(l.substring(4));
                    }
                }
                assertEquals(expected.get(r).size(), got.size(), "lines of rank " + r);
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(expected.get(r).get(i), got.get(i), "rank " + r);
                }
            }
        }
    }

    @Test
    void everyOperationOnThreeProcessesEqualsLocalCollective() throws Exception {
        Ranks.assumeGloo();
        checkOps(3, Map.of());
    }

    @Test
    void fileStoreRendezvousAndAReusedRunIdFailsAtOnce(@TempDir Path dir) throws Exception {
        Ranks.assumeGloo();
        // also the interface path: Gloo binds the named interface instead of a host address
        Map<String, String> env = Map.of("SELFSUP4J_STORE", "file:" + dir,
                "SELFSUP4J_RUN_ID", "run-1", "GLOO_SOCKET_IFNAME", "lo");
        checkOps(2, env);
        assertTrue(Files.isDirectory(dir.resolve("run-1")));
        // the same run id again: its files are there, so the rank refuses instead of mixing runs
        try (Ranks again = new Ranks(2, new int[] {0}, "join", 5000, env)) {
            String msg = again.await(0, "FAILED", 5000).text();
            assertTrue(msg.contains("run id run-1 was already used"), msg);
        }
    }

    @Test
    void badSettingsNameTheVariableOrValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "2"),
                        Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("MASTER_ADDR"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.fromEnvironment(Map.of("RANK", "x"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("RANK must be an integer, got x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.builder().setRank(2).setWorldSize(2).build());
        assertTrue(e.getMessage().contains("got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.builder().setRank(0).setWorldSize(1).optStore("redis:x")
                        .build());
        assertTrue(e.getMessage().contains("redis:x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.builder().setRank(0).setWorldSize(1).optStore("file:/tmp")
                        .build());
        assertTrue(e.getMessage().contains("SELFSUP4J_RUN_ID"), e.getMessage());
    }

    @Test
    void buffersAreReusedAndAClosedGroupRefusesCalls() throws Exception {
        Ranks.assumeGloo();
        GlooCollective c = GlooCollective.builder().setRank(0).setWorldSize(1)
                .optMaster("127.0.0.1", Ranks.freePort()).optTimeout(Duration.ofSeconds(5))
                .build();
        try (c) {
            Field in = GlooCollective.class.getDeclaredField("in");
            Field out = GlooCollective.class.getDeclaredField("out");
            in.setAccessible(true);
            out.setAccessible(true);
            assertArrayEquals(new double[] {1, 2}, c.allReduceSum(new double[] {1, 2}), 0.0);
            Object first = in.get(c);
            Object firstOut = out.get(c);
            assertArrayEquals(new float[] {3, 4, 5, 6}, c.allGather(new float[] {3, 4, 5, 6}));
            assertSame(first, in.get(c), "same-size call reuses the input buffer");
            assertSame(firstOut, out.get(c), "same-size call reuses the output buffer");
            c.allGather(new double[3]);
            assertNotSame(first, in.get(c), "a larger call grows the buffer");
            assertArrayEquals(new float[0], c.reduceScatterSum(new float[0]));
            assertArrayEquals(new double[] {7}, c.broadcast(new double[] {7}, 0), 0.0);
            c.barrier();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, c::barrier);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void routeToLoopbackIsLoopback() {
        assertEquals("127.0.0.1", GlooCollective.routeTo("127.0.0.1", 29500));
    }
}
