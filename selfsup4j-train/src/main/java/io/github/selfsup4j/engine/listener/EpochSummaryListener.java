package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.PrintStream;
import java.util.Map;

/**
 * One line per epoch: mean loss, the other scalars' means, learning rate, throughput, the epoch's
 * wall time and resident memory. Reads the {@link MetricsHistory} and {@link MemoryListener},
 * which must come before it in the listener list.
 */
public final class EpochSummaryListener implements TrainingListener {

    private final PrintStream out;
    private final MetricsHistory history;
    private final MemoryListener memory;
    private long start;

    /**
     * Creates the listener.
     *
     * @param out where the lines go
     * @param history the run's history (for the epoch means)
     * @param memory the memory listener, or null
     */
    public EpochSummaryListener(PrintStream out, MetricsHistory history, MemoryListener memory) {
        this.out = out;
        this.history = history;
        this.memory = memory;
    }

    @Override
    public void onEpochBegin(TrainingState state) {
        start = System.nanoTime();
    }

    @Override
    public void onEpochEnd(TrainingState state) {
        StringBuilder s = new StringBuilder(String.format("epoch %d/%d  loss %.4f",
                state.epoch(), state.epochs(), history.lastEpochLoss()));
        for (Map.Entry<String, Double> e : history.lastEpochScalars().entrySet()) {
            s.append(String.format("  %s %.4f", e.getKey(), e.getValue()));
        }
        s.append(String.format("  lr %.2e  %.0f img/s  %.1f s", state.learningRate(),
                state.imagesPerSecond(), (System.nanoTime() - start) / 1e9));
        if (memory != null && memory.last() > 0) {
            s.append(String.format("  rss %.0f MB", memory.last() / 1e6));
        }
        out.println(s);
    }
}
