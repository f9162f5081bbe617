package io.github.selfsup4j.gloo;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Allreduce bandwidth and allgather latency of {@link GlooCollective}, float32, 1–100 MB, as
 * JSON lines. Without {@code RANK} set it launches {@code ranks} (default 2) child JVMs on
 * loopback and relays rank 0's lines; with torchrun's variables set it runs as one rank.
 *
 * <pre>java -cp selfsup4j-gloo/target/classes:selfsup4j-losses/target/classes \
 *     io.github.selfsup4j.gloo.GlooBench [ranks] [megabytes...]</pre>
 *
 * Each line: {@code op}, {@code ranks}, {@code megabytes} (per rank), {@code ms} (median of the
 * timed calls, after two warm-up calls), and for allreduce {@code algbw_gbps} (array bytes / time)
 * and {@code busbw_gbps} (algbw · 2(W−1)/W, the bytes each rank moves, as nccl-tests reports).
 */
public final class GlooBench {

    private GlooBench() {}

    public static void main(String[] args) throws Exception {
        int ranks = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        List<Integer> mbs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            mbs.add(Integer.parseInt(args[i]));
        }
        if (mbs.isEmpty()) {
            mbs = List.of(1, 10, 100);
        }
        if (System.getenv("RANK") == null) {
            launch(ranks, args);
            return;
        }
        try (GlooCollective c = GlooCollective.fromEnvironment(System.getenv(),
                Duration.ofSeconds(120))) {
            int w = c.worldSize();
            for (int mb : mbs) {
                float[] v = new float[mb * (1 << 20) / Float.BYTES];
                double ms = median(time(() -> c.allReduceSum(v), mb >= 100 ? 5 : 10));
                double algbw = mb * (1 << 20) / (ms / 1e3) / 1e9;
                print(c, String.format(Locale.ROOT, "{\"op\":\"allreduce\",\"ranks\":%d,"
                        + "\"megabytes\":%d,\"ms\":%.3f,\"algbw_gbps\":%.3f,\"busbw_gbps\":%.3f}",
                        w, mb, ms, algbw, algbw * 2 * (w - 1) / w));
                double gms = median(time(() -> c.allGather(v), mb >= 100 ? 5 : 10));
                print(c, String.format(Locale.ROOT, "{\"op\":\"allgather\",\"ranks\":%d,"
                        + "\"megabytes\":%d,\"ms\":%.3f}", w, mb, gms));
            }
        }
    }

    private static void print(GlooCollective c, String line) {
        if (c.rank() == 0) {
            System.out.println(line);
            System.out.flush();
        }
    }

    private static double[] time(Runnable op, int timed) {
        op.run();
        op.run();
        double[] ms = new double[timed];
        for (int i = 0; i < timed; i++) {
            long t = System.nanoTime();
            op.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void launch(int ranks, String[] args) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java";
        List<Process> ps = new ArrayList<>();
        try {
            for (int r = 0; r < ranks; r++) {
                List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-cp",
                        System.getProperty("java.class.path"), GlooBench.class.getName()));
                cmd.addAll(List.of(args));
                ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
                pb.environment().put("RANK", Integer.toString(r));
                pb.environment().put("WORLD_SIZE", Integer.toString(ranks));
                pb.environment().put("MASTER_ADDR", "127.0.0.1");
                pb.environment().put("MASTER_PORT", Integer.toString(port));
                ps.add(pb.start());
            }
            for (Process p : ps) {
                if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("a benchmark rank failed");
                }
            }
        } finally {
            for (Process p : ps) {
                p.destroyForcibly();
            }
        }
    }
}
