package io.github.selfsup4j.engine;

import ai.djl.ndarray.NDManager;
import io.github.selfsup4j.distributed.Collective;

/**
 * Where a step is and what it may use.
 *
 * @param epoch the epoch (0-based)
 * @param batch the batch within the epoch (0-based)
 * @param step the global step (0-based), counted over every epoch
 * @param batchesPerEpoch steps per epoch
 * @param totalSteps steps of the whole run
 * @param manager a scratch manager closed when the step ends: create the step's arrays in it
 * @param collective the ranks of this run ({@link Collective#single()} in one process)
 */
public record StepContext(int epoch, int batch, long step, int batchesPerEpoch, long totalSteps,
        NDManager manager, Collective collective) {

    /** The run's progress in [0, 1) at this step (for momentum and other schedules). */
    public double progress() {
        return totalSteps > 0 ? (double) step / totalSteps : 0;
    }
}
