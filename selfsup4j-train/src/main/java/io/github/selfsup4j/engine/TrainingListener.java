package io.github.selfsup4j.engine;

/**
 * What happens around the loop (as DJL's {@code TrainingListener}): each concern, such as
 * checkpoints, progress, summaries, memory, non-finite steps or history, is one small listener.
 * Listeners are called in the order they were added.
 */
public interface TrainingListener {

    /** Before the first step of this invocation of the engine (fresh or resumed). */
    default void onTrainingBegin(TrainingState state) {}

    /** Before the first batch of an epoch (also a resumed, partly trained one). */
    default void onEpochBegin(TrainingState state) {}

    /** After a successful step. */
    default void onStep(TrainingState state, StepContext ctx, StepResult result) {}

    /** After the last batch of an epoch; {@code state.epoch()} already counts it. */
    default void onEpochEnd(TrainingState state) {}

    /**
     * A step was not finite; no state was changed.
     *
     * @param attempt 0 for the first failure of this batch, 1 for a repeated one...
     * @return true to run the same batch again
     */
    default boolean onNonFinite(TrainingState state, StepContext ctx, NonFiniteException e,
            int attempt) {
        return false;
    }

    /** The run stopped early on request; the state is consistent (between two steps). */
    default void onStop(TrainingState state) {}

    /** The run gave up on a non-finite step; the state is the last good one. */
    default void onFailure(TrainingState state, NonFiniteException e) {}

    /** After the last planned epoch. */
    default void onTrainingEnd(TrainingState state) {}
}
