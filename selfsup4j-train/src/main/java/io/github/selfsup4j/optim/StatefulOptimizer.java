package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL {@link Optimizer} whose state (per-parameter buffers and the step count) can be saved
 * and restored, so that a resumed run continues exactly. DJL's own optimisers keep their state
 * private.
 *
 * <p>Call {@link #update} for every trainable parameter of a step, then {@link #endStep()}. The
 * learning rate follows a {@link Schedule} by global step. Temporaries of an update live in a
 * scratch manager closed at once, so memory stays flat over any number of steps.
 */
public abstract class StatefulOptimizer extends Optimizer {

    private final NDManager manager;
    private Schedule schedule;
    private final Map<String, NDArray[]> state = new LinkedHashMap<>();
    private long step;

    /**
     * Creates the optimizer.
     *
     * @param parent the manager its state lives under
     * @param schedule the learning-rate schedule
     */
    protected StatefulOptimizer(NDManager parent, Schedule schedule) {
        super(new NoBuilder());
        this.manager = parent.newSubManager();
        this.schedule = schedule;
    }

    /** Replaces the learning-rate schedule (a resumed run that changes its plan). */
    public void setSchedule(Schedule schedule) {
        this.schedule = schedule;
    }

    /** The completed steps. */
    public long step() {
        return step;
    }

    /** The learning rate of the current step. */
    public double learningRate() {
        return schedule.lr(step);
    }

    /** Marks the end of a step (all parameters updated). */
    public void endStep() {
        step++;
    }

    /** How many state buffers each parameter has (0 for plain SGD). */
    protected abstract int buffers();

    /**
     * Updates one parameter in place.
     *
     * @param id the parameter's name
     * @param weight the parameter (updated in place)
     * @param grad its gradient (attached to a scratch manager; may be modified)
     * @param w a copy of the weight in the scratch manager
     * @param state the parameter's buffers (updated in place)
     * @param lr the learning rate
     */
    protected abstract void apply(String id, NDArray weight, NDArray grad, NDArray w,
            NDArray[] state, double lr);

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        NDArray[] s = state.computeIfAbsent(parameterId, k -> {
            NDArray[] b = new NDArray[buffers()];
            for (int i = 0; i < b.length; i++) {
                b[i] = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            }
            return b;
        });
        try (NDManager scratch = manager.newSubManager(weight.getDevice())) {
            NDArray g = grad.duplicate();
            g.attach(scratch);
            NDArray w = weight.duplicate();
            w.attach(scratch);
            apply(parameterId, weight, g, w, s, schedule.lr(step));
        }
    }

    /** Writes the step count and every buffer. */
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(step);
        out.writeInt(state.size());
        for (Map.Entry<String, NDArray[]> e : state.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            for (NDArray a : e.getValue()) {
                long[] shape = a.getShape().getShape();
                out.writeInt(shape.length);
                for (long d : shape) {
                    out.writeLong(d);
                }
                float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
                out.writeInt(v.length);
                for (float f : v) {
                    out.writeFloat(f);
                }
            }
        }
    }

    /** Restores what {@link #save} wrote. */
    public void load(DataInputStream in) throws IOException {
        step = in.readLong();
        int n = in.readInt();
        state.values().forEach(b -> {
            for (NDArray a : b) {
                a.close();
            }
        });
        state.clear();
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            NDArray[] b = new NDArray[in.readInt()];
            for (int j = 0; j < b.length; j++) {
                long[] shape = new long[in.readInt()];
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = in.readLong();
                }
                float[] v = new float[in.readInt()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = in.readFloat();
                }
                b[j] = manager.create(v, new Shape(shape));
            }
            state.put(id, b);
        }
    }

    /** Whether a parameter is exempt from weight decay and trust-ratio adaptation. */
    protected static boolean isBiasOrNorm(String id, NDArray weight) {
        // biases and BatchNorm's gamma/beta are the 1-D parameters
        return weight.getShape().dimension() <= 1;
    }

    /** Frees the state. */
    public void close() {
        manager.close();
    }

    private static final class NoBuilder extends OptimizerBuilder<NoBuilder> {
        @Override
        protected NoBuilder self() {
            return this;
        }
    }
}
