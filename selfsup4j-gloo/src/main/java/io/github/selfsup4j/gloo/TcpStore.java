package io.github.selfsup4j.gloo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small TCP key-value store for Gloo's rendezvous, so that no shared file system or Redis is
 * needed (PyTorch and Horovod host their own store the same way). Rank 0 runs the {@link Server}
 * at {@code MASTER_ADDR:MASTER_PORT}; every rank talks to it through a {@link Client}.
 *
 * <p>Protocol, one request and one reply at a time per connection (big-endian): a request is an
 * op byte ({@code 1} set, {@code 2} get, {@code 3} wait), then the keys ({@code writeUTF}; wait
 * sends a count first), then for set an {@code int} length and the value, for get and wait a
 * {@code long} timeout in ms. The reply is a status byte, {@code 0} for success (get then sends
 * the value's length and bytes), {@code 1} for a timeout followed by the missing keys joined by
 * commas.
 */
public final class TcpStore {

    private static final byte SET = 1;
    private static final byte GET = 2;
    private static final byte WAIT = 3;
    private static final byte OK = 0;
    private static final byte TIMEOUT = 1;

    private TcpStore() {}

    /**
     * Starts a server.
     *
     * @param port the port, or 0 for any free one
     * @return the running server
     * @throws UncheckedIOException when the port cannot be bound (naming it)
     */
    public static Server serve(int port) {
        return new Server(port);
    }

    /**
     * Connects to a server, retrying until {@code timeoutMs} (the server's rank may start later).
     *
     * @throws IllegalStateException naming the address when no server answers in time
     */
    public static Client connect(String host, int port, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        IOException last;
        do {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeoutMs));
                s.setTcpNoDelay(true);
                return new Client(s);
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to the store", e);
            }
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("rendezvous: no store answered at " + host + ":" + port
                + " within " + timeoutMs + " ms (is rank 0 running?): " + last, last);
    }

    /** The store's server: a thread per connection over one map. */
    public static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final Map<String, byte[]> map = new HashMap<>();
        private final List<Socket> clients = new ArrayList<>();
        private volatile boolean closed;
        /** Requests being answered; guarded by {@code map}. */
        private int busy;

        private Server(int port) {
            try {
                socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(port));
            } catch (IOException e) {
                throw new UncheckedIOException("rendezvous store: cannot listen on port " + port
                        + " (another run still using it? under torchrun, whose agent holds "
                        + "MASTER_PORT, set TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1): "
                        + e.getMessage(), e);
            }
            Thread t = new Thread(this::accept, "tcp-store-accept");
            t.setDaemon(true);
            t.start();
        }

        /** The bound port. */
        public int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (!closed) {
                try {
                    Socket s = socket.accept();
                    s.setTcpNoDelay(true);
                    synchronized (clients) {
                        clients.add(s);
                    }
                    Thread t = new Thread(() -> serve(s), "tcp-store-client");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket s) {
            try (s;
                    DataInputStream in = new DataInputStream(
                            new BufferedInputStream(s.getInputStream()));
                    DataOutputStream out = new DataOutputStream(
                            new BufferedOutputStream(s.getOutputStream()))) {
                while (true) {
                    byte op = in.readByte();
                    synchronized (map) {
                        busy++;
                    }
                    try {
                        if (!answer(op, in, out)) {
                            return;
                        }
                    } finally {
                        synchronized (map) {
                            busy--;
                            map.notifyAll();
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away or the server closed
            }
        }

        /** Answers one request; false for a request outside the protocol. */
        private boolean answer(byte op, DataInputStream in, DataOutputStream out)
                throws IOException, InterruptedException {
            if (op == SET) {
                String key = in.readUTF();
                byte[] v = new byte[in.readInt()];
                in.readFully(v);
                synchronized (map) {
                    map.put(key, v);
                    map.notifyAll();
                }
                out.writeByte(OK);
            } else if (op == GET || op == WAIT) {
                int n = op == GET ? 1 : in.readInt();
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    keys.add(in.readUTF());
                }
                List<String> missing = waitFor(keys, in.readLong());
                if (!missing.isEmpty()) {
                    out.writeByte(TIMEOUT);
                    out.writeUTF(String.join(",", missing));
                } else {
                    out.writeByte(OK);
                    if (op == GET) {
                        byte[] v;
                        synchronized (map) {
                            v = map.get(keys.get(0));
                        }
                        out.writeInt(v.length);
                        out.write(v);
                    }
                }
            } else {
                return false; // not our protocol: drop the connection
            }
            out.flush();
            return true;
        }

        private List<String> waitFor(List<String> keys, long timeoutMs)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            synchronized (map) {
                while (true) {
                    List<String> missing = new ArrayList<>();
                    for (String k : keys) {
                        if (!map.containsKey(k)) {
                            missing.add(k);
                        }
                    }
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (missing.isEmpty() || left <= 0 || closed) {
                        return missing;
                    }
                    map.wait(left);
                }
            }
        }

        /**
         * Stops the server. Pending waits are answered first with the keys still missing (so a
         * rank waiting on rank 0's store learns which ranks never came, rather than seeing the
         * connection drop), for up to half a second; then every connection is closed.
         */
        @Override
        public void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            long deadline = System.nanoTime() + 500_000_000L;
            synchronized (map) {
                map.notifyAll();
                try {
                    for (long left; busy > 0
                            && (left = (deadline - System.nanoTime()) / 1_000_000L) > 0; ) {
                        map.wait(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (clients) {
                for (Socket s : clients) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closing anyway
                    }
                }
            }
        }
    }

    /** A connection to the store; one request at a time. */
    public static final class Client implements KeyValueStore, AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        }

        @Override
        public synchronized void set(String key, byte[] value) {
            try {
                out.writeByte(SET);
                out.writeUTF(key);
                out.writeInt(value.length);
                out.write(value);
                out.flush();
                in.readByte();
            } catch (IOException e) {
                throw lost("set " + key, e);
            }
        }

        @Override
        public synchronized byte[] get(String key, long timeoutMs) {
            try {
                out.writeByte(GET);
                out.writeUTF(key);
                out.writeLong(timeoutMs);
                out.flush();
                readStatus(timeoutMs);
                byte[] v = new byte[in.readInt()];
                in.readFully(v);
                return v;
            } catch (IOException e) {
                throw lost("get " + key, e);
            }
        }

        @Override
        public synchronized void await(String[] keys, long timeoutMs) {
            try {
                out.writeByte(WAIT);
                out.writeInt(keys.length);
                for (String k : keys) {
                    out.writeUTF(k);
                }
                out.writeLong(timeoutMs);
                out.flush();
                readStatus(timeoutMs);
            } catch (IOException e) {
                throw lost("wait", e);
            }
        }

        private void readStatus(long timeoutMs) throws IOException {
            // the server answers by the timeout; allow it a little more before giving up
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs + 2000));
            if (in.readByte() == TIMEOUT) {
                throw new IllegalStateException("rendezvous: keys not set within " + timeoutMs
                        + " ms: " + in.readUTF());
            }
        }

        private IllegalStateException lost(String what, IOException e) {
            String why = e instanceof SocketException ? "connection to the store lost"
                    : "store I/O failed";
            return new IllegalStateException("rendezvous: " + why + " during " + what + " ("
                    + socket.getRemoteSocketAddress() + "): " + e, e);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
