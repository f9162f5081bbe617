package io.github.selfsup4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.engine.listener.MemoryListener;
import io.github.selfsup4j.loss.contrastive.Implementation;
import io.github.selfsup4j.loss.contrastive.Tiling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selfsup4j bench}: times whole loss steps (forward and backward) and prints one JSON
 * object. The matrix-multiply peak is measured in the same process with the same engine: the
 * best (m×D)·(D×m) product for m from 256 up to the loss's size (capped at 4096, beyond which
 * fresh-allocation page faults, not arithmetic, limit it), so {@code fraction_of_peak} compares
 * like with like on any machine. {@code fraction_of_peak} is the rate of the matrix products
 * the step actually executes ({@link MatmulFlops}: tiled NT-Xent computes only the tiles on and
 * above the diagonal, about 2/3 of the dense count) over that peak; {@code
 * dense_equivalent_fraction_of_peak} counts instead three rows×cols×D products (one forward, two
 * backward) of the whole logits matrix, the work of the dense formulation.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time forward+backward steps of nt-xent or info-nce and print one JSON object.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--loss", description = "nt-xent (default) or info-nce.")
    String loss = "nt-xent";

    @Option(names = "--pairs", description = "Pairs N (rows of each view; 2N logits per row).")
    int pairs = 4096;

    @Option(names = "--dim", description = "Embedding dimension D (128).")
    int dim = 128;

    @Option(names = "--impl", description = "dense, tiled or auto.")
    String impl = "tiled";

    @Option(names = "--steps", description = "Timed steps.")
    int steps = 5;

    @Option(names = "--warmup", description = "Untimed steps before them (1).")
    int warmup = 1;

    @Option(names = "--tile", description = "Tile size (default: the loss's).")
    Integer tile;

    @Option(names = "--queue", description = "info-nce only: queue length (0: in-batch).")
    int queue;

    @Option(names = "--temperature", description = "Temperature (0.1).")
    double temperature = 0.1;

    @Option(names = "--seed", description = "Seed of the random embeddings.")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("temperature", temperature);
        options.put("impl", impl);
        if (tile != null) {
            options.put("tile_size", tile);
        }
        SelfSupLoss l;
        try {
            l = LossRegistry.create(loss, options);
            if (!loss.equals("nt-xent") && !loss.equals("info-nce")) {
                throw new IllegalArgumentException("--loss must be nt-xent or info-nce, got "
                        + loss);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("selfsup4j bench: " + e.getMessage());
            return 2;
        }
        Engine.getInstance().setRandomSeed((int) seed);
        Map<String, Object> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a0 = m.randomNormal(new Shape(pairs, dim));
            NDArray b0 = m.randomNormal(new Shape(pairs, dim));
            NDArray u0 = queue > 0 ? m.randomNormal(new Shape(queue, dim)) : null;
            long rssBefore = MemoryListener.rss();
            resetPeak();
            double[] ms = new double[steps];
            double value = 0;
            long rssWarm = 0;
            long rssTenth = 0;
            int arraysWarm = liveArrays(m);
            rssWarm = MemoryListener.rss();
            for (int s = -warmup; s < steps; s++) {
                long t0 = System.nanoTime();
                // DJL attaches every result to its first operand's manager: the step's inputs
                // are made in the step's manager so that everything the step creates is freed
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray a = leaf(a0, step);
                    NDArray b = leaf(b0, step);
                    NDArray u = u0 == null ? null : leaf(u0, step);
                    NDArray v = u == null ? l.apply(a, b) : l.apply(a, b, u);
                    gc.backward(v);
                    value = v.getFloat();
                    try (NDArray g = a.getGradient()) {
                        g.getFloat(0, 0); // the backward has finished
                    }
                }
                if (s >= 0) {
                    ms[s] = (System.nanoTime() - t0) / 1e6;
                    if (s == steps / 10) {
                        rssTenth = MemoryListener.rss();
                    }
                } else if (s == -1) {
                    rssWarm = MemoryListener.rss();
                    arraysWarm = liveArrays(m);
                }
            }
            long peak = MemoryListener.processStatus("VmHWM");
            long rssAfter = MemoryListener.rss();
            Arrays.sort(ms);
            double median = ms[ms.length / 2];
            long rows = loss.equals("nt-xent") ? 2L * pairs : pairs;
            long cols = loss.equals("nt-xent") ? 2L * pairs : (queue > 0 ? pairs + queue : pairs);
            // the engine's best (m×D)·(D×m) product up to the loss's own size; larger outputs
            // than 4096² are slowed by page faults on fresh allocations, not by arithmetic
            double gflops = 0;
            int best = 0;
            for (int g = 256; g <= Math.min(Math.max(rows, cols), 4096); g *= 2) {
                double f = gemmPeak(m, g, g, dim);
                if (f > gflops) {
                    gflops = f;
                    best = g;
                }
            }
            // the products the step executes, and the dense formulation's three rows×cols×D
            boolean tiled = Implementation.parse(loss, impl).tiles(rows, cols, 4,
                    (long) (Tiling.DEFAULT_BUDGET_MB * 1024 * 1024));
            double executedFlops = MatmulFlops.executed(loss.equals("nt-xent"), tiled, pairs,
                    queue, tile != null ? tile : Tiling.DEFAULT_TILE, dim);
            double denseFlops = MatmulFlops.denseEquivalent(rows, cols, dim);
            double executedGflops = executedFlops / (median / 1e3) / 1e9;
            double denseGflops = denseFlops / (median / 1e3) / 1e9;
            out.put("loss", loss);
            out.put("impl", impl);
            out.put("impl_run", tiled ? "tiled" : "dense");
            out.put("pairs", pairs);
            out.put("dim", dim);
            out.put("queue", queue);
            out.put("tile_size", tile);
            out.put("steps", steps);
            out.put("loss_value", value);
            out.put("ms_per_step_median", median);
            out.put("ms_per_step_min", ms[0]);
            out.put("rss_before_bytes", rssBefore);
            out.put("rss_after_warmup_bytes", rssWarm);
            out.put("rss_after_bytes", rssAfter);
            out.put("rss_growth_after_warmup", (double) (rssAfter - rssWarm) / rssWarm);
            // memory flatness once allocators and the Java heap have settled
            out.put("rss_at_tenth_of_steps_bytes", rssTenth);
            out.put("live_arrays_after_warmup", arraysWarm);
            out.put("live_arrays_after", liveArrays(m));
            out.put("rss_growth_after_tenth", (double) (rssAfter - rssTenth) / rssTenth);
            out.put("peak_rss_bytes", peak);
            out.put("step_peak_delta_bytes", peak - rssBefore);
            out.put("gemm_shape", best + "x" + dim + " * " + dim + "x" + best);
            out.put("gemm_peak_gflops", gflops);
            out.put("executed_matmul_flops_per_step", executedFlops);
            out.put("dense_equivalent_matmul_flops_per_step", denseFlops);
            out.put("executed_gflops", executedGflops);
            out.put("dense_equivalent_gflops", denseGflops);
            out.put("fraction_of_peak", executedGflops / gflops);
            out.put("dense_equivalent_fraction_of_peak", denseGflops / gflops);
            out.put("threads", Runtime.getRuntime().availableProcessors());
            out.put("device", m.getDevice().toString());
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }

    private static int liveArrays(NDManager m) {
        return m instanceof ai.djl.ndarray.BaseNDManager
                ? ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size() : -1;
    }

    private static NDArray leaf(NDArray source, NDManager step) {
        NDArray x = source.duplicate();
        x.attach(step);
        x.setRequiresGradient(true);
        return x;
    }

    /** Best-of-7 GFLOP/s of an (m×d)·(d×n) product on the engine. */
    static double gemmPeak(NDManager manager, int m, int n, int d) {
        try (NDManager g = manager.newSubManager()) {
            NDArray x = g.randomNormal(new Shape(m, d));
            NDArray y = g.randomNormal(new Shape(d, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 7; i++) {
                long t0 = System.nanoTime();
                try (NDArray z = x.matMul(y)) {
                    z.getFloat(0, 0);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * m * n * d / best / 1e9;
        }
    }

    /** Resets the process's peak RSS (VmHWM), where Linux allows it. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux or not allowed: the peak then includes start-up
        }
    }
}
