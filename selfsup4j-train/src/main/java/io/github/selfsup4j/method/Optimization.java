package io.github.selfsup4j.method;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.optim.Gradients;
import io.github.selfsup4j.optim.Schedule;
import io.github.selfsup4j.optim.StatefulOptimizer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * A job's trainable parameters with their optimiser and learning-rate plan: what the
 * self-supervised ({@link SslMethod}) and metric-learning jobs share after the backward pass.
 * The update checks the loss and the gradients first and changes nothing but the gradients when
 * one is not finite (the engine's rule for a step that fails); the plan can be replaced (a
 * resumed run's segments); the optimiser's state is saved and restored with the job.
 */
public final class Optimization implements AutoCloseable {

    private Map<String, Parameter> params;
    private final StatefulOptimizer optimizer;
    private Schedule schedule;

    /**
     * The options' optimiser over {@code params}, with the plan of a fresh run: linear warm-up,
     * then cosine decay to 0 over the options' epochs.
     *
     * @param manager the job's manager (the optimiser's state lives there)
     * @param o the shared options (optimiser, rate, warm-up, epochs)
     * @param world the number of processes (the default rate follows the global batch)
     * @param batchesPerEpoch batches per epoch on this rank
     * @param params the trainable parameters, by stable names
     */
    public Optimization(NDManager manager, SslOptions o, int world, int batchesPerEpoch,
            Map<String, Parameter> params) {
        this.params = params;
        this.schedule = new Schedule(o.lr(world), Math.round(o.warmupEpochs * batchesPerEpoch),
                (long) batchesPerEpoch * o.epochs, 0.0);
        this.optimizer = o.optimizer.create(manager, schedule, o.momentum, o.weightDecay,
                o.larsTrust);
    }

    /** The trainable parameters. */
    public Map<String, Parameter> parameters() {
        return params;
    }

    /** Replaces the parameters (after loading a checkpoint, whose arrays are new). */
    public void setParameters(Map<String, Parameter> loaded) {
        this.params = loaded;
    }

    /**
     * The update of a step whose gradients are in place: the optimiser's step when the loss and
     * every gradient are finite.
     *
     * @param loss the step's loss
     * @throws NonFiniteException when the loss or a gradient is not finite (the gradients are
     *     zeroed; nothing else changed)
     */
    public void update(float loss) {
        if (!Float.isFinite(loss)) {
            Gradients.zero(params);
            throw new NonFiniteException("loss", loss);
        }
        double g = Gradients.sum(params);
        if (!Double.isFinite(g)) {
            Gradients.zero(params);
            throw new NonFiniteException("gradients", g);
        }
        Gradients.apply(optimizer, params);
    }

    /** The learning-rate plan. */
    public Schedule schedule() {
        return schedule;
    }

    /** Replaces the plan (a resumed run that changes it). */
    public void setSchedule(Schedule s) {
        this.schedule = s;
        optimizer.setSchedule(s);
    }

    /** The learning rate of the next step. */
    public double learningRate() {
        return optimizer.learningRate();
    }

    /** Writes the optimiser's state. */
    public void save(DataOutputStream out) throws IOException {
        optimizer.save(out);
    }

    /** Restores what {@link #save} wrote. */
    public void load(DataInputStream in) throws IOException {
        optimizer.load(in);
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
