/**
 * The training engine: a short loop that knows nothing of any particular job. A {@link
 * io.github.selfsup4j.engine.Job} owns its networks, optimisers, step, checkpointed state and
 * evaluation; the {@link io.github.selfsup4j.engine.TrainingEngine} drives it over the batches its
 * {@link io.github.selfsup4j.engine.BatchSource} yields and tells {@link
 * io.github.selfsup4j.engine.TrainingListener}s what happens (checkpoints, progress, summaries,
 * memory, non-finite steps, history). Modelled on DJL's {@code EasyTrain} and {@code
 * TrainingListener}.
 *
 * <p>Imports only {@code data}, {@code optim}, the loss library's {@code distributed} package and
 * DJL; jobs ({@code method}) and the CLI import the engine, never the other way round.
 */
package io.github.selfsup4j.engine;
