package io.github.selfsup4j.engine.listener;

import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Saves the checkpoint at the end of every epoch, on a stop request and on a failure (then the
 * last good state). Only rank 0 writes; every rank can resume from it.
 */
public final class CheckpointListener implements TrainingListener {

    private final Path dir;
    private final Supplier<String> config;
    private final List<Stateful> parts;
    private final Collective collective;

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
    public void onEpochEnd(TrainingState state) {
        save();
    }

    @Override
    public void onStop(TrainingState state) {
        save();
    }

    @Override
    public void onFailure(TrainingState state, NonFiniteException e) {
        save();
    }
}
