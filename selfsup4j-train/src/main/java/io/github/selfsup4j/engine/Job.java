package io.github.selfsup4j.engine;

import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A kind of training: it owns its networks and optimisers (one or several), chooses how its
 * batches are made, performs one optimisation step, and saves what a resumed run needs.
 *
 * <p>Contract of {@link #step}: if the step fails with a {@link NonFiniteException}, the job must
 * not have changed any of its state (weights, optimiser buffers, queues, EMA copies): the engine
 * may run the same batch again, or save a checkpoint of the last good state. Jobs therefore check
 * the loss and the gradients before they update anything (see {@link
 * io.github.selfsup4j.optim.Gradients}).
 *
 * @param <B> the batch type the job consumes; self-supervised jobs take a batch type that has no
 *     labels at all
 */
public interface Job<B> extends AutoCloseable {

    /** The job's name (the method's CLI name). */
    String name();

    /** Where the job's batches come from: its sampler and view recipe. */
    BatchSource<B> batches();

    /**
     * One optimisation step on a batch.
     *
     * @param ctx where the step is (epoch, step, totals), its scratch manager and the collective
     * @param batch the batch
     * @return the step's loss and any other scalars to log
     * @throws NonFiniteException if the loss or the gradients are not finite (no state changed)
     */
    StepResult step(StepContext ctx, B batch);

    /** The learning rate of the next step of the main optimiser (for progress lines). */
    double learningRate();

    /** Writes the networks, optimiser state and any other state. */
    void save(DataOutputStream out) throws IOException;

    /** Restores what {@link #save} wrote. */
    void load(DataInputStream in) throws IOException;

    /** The manager the job's networks live in. */
    NDManager manager();

    @Override
    default void close() {}
}
