package io.github.selfsup4j.gloo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis rendezvous ({@code SELFSUP4J_STORE=redis://HOST:PORT}, Gloo's own RedisStore) with
 * real processes and a throw-away {@code redis-server} (skipped, with the reason, when it is not
 * installed).
 */
class GlooRedisTest {

    static Map<String, String> env(RedisServer redis, String runId) {
        return Map.of("SELFSUP4J_STORE", redis.url(), "SELFSUP4J_RUN_ID", runId);
    }

    @Test
    void everyOperationThroughARedisRendezvousAndEachRunUnderItsOwnPrefix() throws Exception {
        Ranks.assumeGloo();
        assertEquals(null, RedisStore.unavailableReason(), "this build has Redis");
        try (RedisServer redis = RedisServer.start()) {
            // two runs one after the other on the same server: the second one's keys live
            // under its own run id, so Gloo's set-once keys of the first never collide
            GlooCollectiveTest.checkOps(2, env(redis, "run-1"));
            GlooCollectiveTest.checkOps(2, env(redis, "run-2"));
            try (RedisStore keys = RedisStore.connect(RedisStore.parse(redis.url()), 1000)) {
                for (String run : new String[] {"run-1", "run-2"}) {
                    for (int r = 0; r < 2; r++) {
                        assertTrue(keys.has("selfsup4j/" + run + "/joined/" + r), run + " " + r);
                    }
                }
                // Gloo's own keys (each rank's address) under the run's prefix
                assertTrue(keys.has("selfsup4j/run-2/gloo/rank_0"), "Gloo's keys");
                assertFalse(keys.has("selfsup4j/run-3/joined/0"));
            }
            // a run id used before: refused by name at once, not Gloo's "Key already set"
            try (Ranks again = new Ranks(2, new int[] {0}, "join", 5000, env(redis, "run-1"))) {
                String msg = again.await(0, "FAILED", 5000).text();
                assertTrue(msg.contains("run id run-1 was already used on " + redis.url()), msg);
            }
            // torchrun's restart: the same run id, the next restart count, keys of its own
            Map<String, String> elastic = new java.util.HashMap<>(Map.of("SELFSUP4J_STORE",
                    redis.url(), "TORCHELASTIC_RUN_ID", "job", "TORCHELASTIC_RESTART_COUNT",
                    "0"));
            try (Ranks first = new Ranks(2, new int[] {0, 1}, "join", 5000, elastic)) {
                assertTrue(first.output(0, 20000).contains("DONE"));
            }
            elastic.put("TORCHELASTIC_RESTART_COUNT", "1");
            try (Ranks restarted = new Ranks(2, new int[] {0, 1}, "join", 5000, elastic)) {
                assertTrue(restarted.output(0, 20000).contains("DONE"),
                        restarted.stderr(0));
            }
            // a rank that never joins is named
            try (Ranks alone = new Ranks(2, new int[] {0}, "join", 1000, env(redis, "run-4"))) {
                String msg = alone.await(0, "FAILED", 10000).text();
                assertTrue(msg.contains("rank(s) [1] did not join within 1000 ms"), msg);
            }
        }
    }

    @Test
    void aRedisStoreIsKeyValueStoreWithTimeouts() throws Exception {
        Ranks.assumeGloo();
        try (RedisServer redis = RedisServer.start();
                RedisStore store = RedisStore.connect(RedisStore.parse(redis.url()), 1000)) {
            store.set("k", new byte[] {1, 2, 3});
            assertEquals(3, store.get("k", 100).length);
            assertEquals(2, store.get("k", 100)[1]);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> store.set("k", new byte[0]));
            assertTrue(e.getMessage().contains("setting k on " + redis.url()), e.getMessage());
            long start = System.nanoTime();
            e = assertThrows(IllegalStateException.class,
                    () -> store.await(new String[] {"k", "missing"}, 200));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 200 && ms < 2000, ms + " ms");
            assertTrue(e.getMessage().endsWith("within 200 ms: missing"), e.getMessage());
        }
    }

    @Test
    void aServerThatStartsLateIsWaitedForAndOneThatNeverDoesIsNamed() throws Exception {
        Ranks.assumeGloo();
        int port = Ranks.freePort(); // nothing listens there yet
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GlooCollective.builder().setRank(0).setWorldSize(2)
                        .optStore("redis://127.0.0.1:" + port).optRunId("r")
                        .optTimeout(Duration.ofMillis(500)).build());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("no Redis server answered at redis://127.0.0.1:"
                + port + " within 500 ms"), e.getMessage());
        assertTrue(ms >= 500 && ms < 5000, ms + " ms");
        // the ranks start first, the server a second later, within their rendezvous timeout
        try (Ranks ranks = new Ranks(2, new int[] {0, 1}, "join", 10000, Map.of(
                "SELFSUP4J_STORE", "redis://127.0.0.1:" + port, "SELFSUP4J_RUN_ID", "late"))) {
            Thread.sleep(1000);
            try (RedisServer redis = RedisServer.start(port)) {
                assertTrue(ranks.output(0, 20000).contains("DONE"), ranks.stderr(0));
                assertTrue(ranks.output(1, 20000).contains("DONE"), ranks.stderr(1));
            }
        }
    }

    @Test
    void redisUrlsAreParsedAndBadOnesNamed() {
        assertEquals(new RedisStore.Address("h", 6379), RedisStore.parse("redis://h:6379"));
        assertEquals(new RedisStore.Address("::1", 7000), RedisStore.parse("redis://[::1]:7000"));
        assertEquals("redis://[::1]:7000", RedisStore.parse("redis://[::1]:7000").toString());
        for (String bad : new String[] {"redis://h", "redis://h:0", "redis://h:70000",
            "redis://:6379", "redis://u:p@h:6379", "redis://h:6379/0", "redis://h:x",
            "redis:h:6379", "redis://h:6379?db=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RedisStore.parse(bad), bad);
            assertTrue(e.getMessage().contains("must be redis://HOST:PORT"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got " + bad), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.builder().setRank(0).setWorldSize(2)
                        .optStore("redis://h:6379").build());
        assertTrue(e.getMessage().contains("a Redis store needs a run id"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GlooCollective.builder().setRank(0).setWorldSize(2)
                        .optStore("redis://h").optRunId("r").build());
        assertTrue(e.getMessage().startsWith("store must be redis://HOST:PORT"), e.getMessage());
    }
}
