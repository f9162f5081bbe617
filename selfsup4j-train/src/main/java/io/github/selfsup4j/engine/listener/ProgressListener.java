package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.PrintStream;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch on a terminal: batches, loss, other scalars, learning rate, img/s. */
public final class ProgressListener implements TrainingListener {

    private final PrintStream out;
    private ProgressBar bar;

    /** Draws on {@code out} (standard error in the CLI). */
    public ProgressListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEpochBegin(TrainingState state) {
        bar = new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", state.epoch() + 1, state.epochs()))
                .setInitialMax(state.batchesPerEpoch())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .setUnit(" batches", 1)
                .showSpeed()
                .build();
        bar.stepTo(state.nextBatch());
    }

    @Override
    public void onStep(TrainingState state, StepContext ctx, StepResult result) {
        bar.stepTo(state.nextBatch());
        StringBuilder s = new StringBuilder(String.format(" loss %.4f", result.loss()));
        for (Map.Entry<String, Double> e : result.scalars().entrySet()) {
            s.append(String.format("  %s %.3f", e.getKey(), e.getValue()));
        }
        s.append(String.format("  lr %.2e  %.0f img/s", state.learningRate(),
                state.imagesPerSecond()));
        bar.setExtraMessage(s.toString());
    }

    @Override
    public void onEpochEnd(TrainingState state) {
        close();
    }

    @Override
    public void onStop(TrainingState state) {
        close();
    }

    @Override
    public void onFailure(TrainingState state, io.github.selfsup4j.engine.NonFiniteException e) {
        close();
    }

    private void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
