package io.github.selfsup4j.gloo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The rendezvous store on its own, in one process. */
class TcpStoreTest {

    @Test
    void setGetAndWaitAcrossClients() throws Exception {
        try (TcpStore.Server server = TcpStore.serve(0);
                TcpStore.Client a = TcpStore.connect("127.0.0.1", server.port(), 2000);
                TcpStore.Client b = TcpStore.connect("127.0.0.1", server.port(), 2000)) {
            // b's get blocks until a sets the key
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> b.get("k", 2000));
            Thread.sleep(50);
            a.set("k", new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, got.get());
            a.set("empty", new byte[0]);
            b.await(new String[] {"k", "empty"}, 100);
        }
    }

    @Test
    void aMissingKeyTimesOutNamingIt() {
        try (TcpStore.Server server = TcpStore.serve(0);
                TcpStore.Client a = TcpStore.connect("127.0.0.1", server.port(), 2000)) {
            a.set("x", new byte[0]);
            long start = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> a.await(new String[] {"x", "y/joined/2"}, 300));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("y/joined/2") && !e.getMessage().contains("x,"),
                    e.getMessage());
            assertTrue(ms >= 250 && ms < 2000, "waited " + ms + " ms");
        }
    }

    @Test
    void noServerIsAClearError() throws Exception {
        int port = Ranks.freePort();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TcpStore.connect("127.0.0.1", port, 200));
        assertTrue(e.getMessage().contains("is rank 0 running?"), e.getMessage());
    }
}
