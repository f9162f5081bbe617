package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Saves the checkpoint when a fresh run starts, at the end of every epoch and on a stop request.
 * On a failure it writes nothing: the last checkpoint stays. The failed step itself changed
 * nothing, but the steps before it may have ruined the weights without a non-finite loss (a
 * learning rate far too high gives huge, finite weights; only a later loss overflows), so the
 * state at the failure is not a good one to resume from. Only rank 0 writes; every rank can
 * resume from it.
 */
public final class CheckpointListener implements TrainingListener {

    private final Path dir;
    private final Supplier<String> config;
    private final List<Stateful> parts;
    private final Collective collective;
    private long savedStep = -1;
    private int savedEpoch;
    private int savedBatch;

    /**
     * Creates the listener.
     *
     * @param dir the run directory
     * @param config the run's configuration as JSON, read at each save
     * @param parts what the checkpoint holds, in order
     * @param collective the ranks (rank 0 writes)
     */
    public CheckpointListener(Path dir, Supplier<String> config, List<Stateful> parts,
            Collective collective) {
        this.dir = dir;
        this.config = config;
        this.parts = List.copyOf(parts);
        this.collective = collective;
    }

    /** The (1-based) epoch and batch the last saved checkpoint resumes at, as "epoch E, batch B". */
    public String lastSaved() {
        return savedStep < 0 ? "none" : "epoch " + (savedEpoch + 1) + ", batch "
                + (savedBatch + 1) + " (step " + (savedStep + 1) + ")";
    }

    private void save(TrainingState state) {
        save();
        savedStep = state.step();
        savedEpoch = state.epoch();
        savedBatch = state.nextBatch();
    }

    /** Writes the checkpoint now (rank 0 only). */
    public void save() {
        if (collective.rank() != 0) {
            return;
        }
        try {
            Checkpoint.write(dir, config.get(), parts);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the checkpoint in " + dir + " failed", e);
        }
    }

    /** Restores every part from the run directory's checkpoint. */
    public void restore() throws IOException {
        Checkpoint.read(dir, parts);
    }

    @Override
    public void onTrainingBegin(TrainingState state) {
        if (state.step() == 0) {
            save(state); // a run that fails in its first epoch can restart from its start
        } else {
            savedStep = state.step();
            savedEpoch = state.epoch();
            savedBatch = state.nextBatch();
        }
    }

    @Override
    public void onEpochEnd(TrainingState state) {
        save(state);
    }

    @Override
    public void onStop(TrainingState state) {
        save(state);
    }

}
