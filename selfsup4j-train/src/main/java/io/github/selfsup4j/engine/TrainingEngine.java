package io.github.selfsup4j.engine;

import ai.djl.ndarray.NDManager;
import io.github.selfsup4j.distributed.Collective;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop. For every remaining epoch and batch it gives the job a {@link StepContext}
 * with a scratch manager closed after the step, and tells the listeners what happened. It knows
 * nothing of views, labels, networks or optimisers: those belong to the {@link Job}.
 *
 * <pre>{@code
 * TrainingEngine<ViewBatch> engine = TrainingEngine.builder(job)
 *         .setEpochs(12)
 *         .optListeners(history, checkpoints, summary)
 *         .build();
 * TrainingEngine.Outcome outcome = engine.fit();
 * }</pre>
 *
 * @param <B> the job's batch type
 */
public final class TrainingEngine<B> {

    /** How {@link #fit} ended. */
    public enum Outcome {
        /** Every planned epoch is done. */
        FINISHED,
        /** Stopped on request between two steps. */
        STOPPED,
        /** A step stayed non-finite; the state is the last good one. */
        FAILED
    }

    private final Job<B> job;
    private final TrainingState state;
    private final List<TrainingListener> listeners;
    private final Collective collective;
    private volatile boolean stopRequested;
    private int stopEpoch = -1;
    private int stopBatch = -1;
    private NonFiniteException failure;

    private TrainingEngine(Builder<B> b) {
        this.job = b.job;
        this.state = new TrainingState(b.epochs, job.batches().batchesPerEpoch());
        this.listeners = List.copyOf(b.listeners);
        this.collective = b.collective;
    }

    /** A builder for the engine that trains {@code job}. */
    public static <B> Builder<B> builder(Job<B> job) {
        return new Builder<>(job);
    }

    /** The run's progress (a checkpoint part: restore it before {@link #fit}). */
    public TrainingState state() {
        return state;
    }

    /** The job. */
    public Job<B> job() {
        return job;
    }

    /** The failure that ended the last {@link #fit}, or null. */
    public NonFiniteException failure() {
        return failure;
    }

    /** Asks the loop to stop after the current step (safe from any thread, e.g. Ctrl-C). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Stops when the run reaches batch {@code batch} of epoch {@code epoch} (0-based; batch 0 is
     * the epoch boundary). For tests of interrupted runs.
     */
    public void requestStopAt(int epoch, int batch) {
        this.stopEpoch = epoch;
        this.stopBatch = batch;
    }

    private boolean stopHere() {
        return stopRequested || (state.epoch() == stopEpoch && state.nextBatch() == stopBatch);
    }

    /**
     * Trains until the last planned epoch, a stop request or a step that stays non-finite.
     *
     * @return how it ended
     */
    public Outcome fit() {
        failure = null;
        listeners.forEach(l -> l.onTrainingBegin(state));
        BatchSource<B> source = job.batches();
        while (!state.finished()) {
            if (stopHere()) {
                listeners.forEach(l -> l.onStop(state));
                return Outcome.STOPPED;
            }
            listeners.forEach(l -> l.onEpochBegin(state));
            try (BatchSource.Epoch<B> batches = source.open(state.epoch(), state.nextBatch())) {
                while (batches.hasNext()) {
                    B batch = batches.next();
                    if (!runStep(batch)) {
                        listeners.forEach(l -> l.onFailure(state, failure));
                        return Outcome.FAILED;
                    }
                    if (stopHere() && batches.hasNext()) {
                        listeners.forEach(l -> l.onStop(state));
                        return Outcome.STOPPED;
                    }
                }
            }
            state.epochDone();
            listeners.forEach(l -> l.onEpochEnd(state));
        }
        listeners.forEach(l -> l.onTrainingEnd(state));
        return Outcome.FINISHED;
    }

    /** Runs one batch, repeating it while a listener asks to; false if it stayed non-finite. */
    private boolean runStep(B batch) {
        int b = state.nextBatch();
        for (int attempt = 0; ; attempt++) {
            StepResult result;
            long t0 = System.nanoTime();
            try (NDManager scratch = job.manager().newSubManager()) {
                StepContext ctx = new StepContext(state.epoch(), b, state.step(),
                        state.batchesPerEpoch(), state.totalSteps(), scratch, collective);
                try {
                    result = job.step(ctx, batch);
                } catch (NonFiniteException e) {
                    boolean retry = false;
                    for (TrainingListener l : listeners) {
                        retry |= l.onNonFinite(state, ctx, e, attempt);
                    }
                    if (retry) {
                        continue;
                    }
                    failure = e;
                    return false;
                }
                state.stepDone(b, result.images(), (System.nanoTime() - t0) / 1e9,
                        job.learningRate());
                for (TrainingListener l : listeners) {
                    l.onStep(state, ctx, result);
                }
                return true;
            }
        }
    }

    /**
     * Builds a {@link TrainingEngine}.
     *
     * @param <B> the job's batch type
     */
    public static final class Builder<B> {
        private final Job<B> job;
        private int epochs = -1;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Collective collective = Collective.single();

        private Builder(Job<B> job) {
            if (job == null) {
                throw new IllegalArgumentException("engine: job must not be null");
            }
            this.job = job;
        }

        /** The epochs to train (required, at least 1). */
        public Builder<B> setEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Adds listeners, called in this order. */
        public Builder<B> optListeners(TrainingListener... more) {
            listeners.addAll(List.of(more));
            return this;
        }

        /** The ranks of this run (default: one process). */
        public Builder<B> optCollective(Collective c) {
            this.collective = c;
            return this;
        }

        /** Builds the engine. */
        public TrainingEngine<B> build() {
            if (epochs < 1) {
                throw new IllegalArgumentException("engine: epochs must be >= 1, got " + epochs);
            }
            if (job.batches().batchesPerEpoch() < 1) {
                throw new IllegalArgumentException("engine: the job's batch source has no"
                        + " batches per epoch");
            }
            return new TrainingEngine<>(this);
        }
    }
}
