package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.Random;

/**
 * MoCo's queue of negative keys (He et al. 2020): a fixed-size ring buffer of {@code size × dim}
 * detached, L2-normalised keys. It starts filled with random unit vectors drawn from a seed, as in
 * MoCo.
 *
 * <p>Take {@link #negatives(NDManager)} <em>before</em> {@link #enqueue(NDArray)} in every step:
 * the snapshot is a copy, so the keys of the current batch are never its own negatives. In
 * evaluation mode ({@link #setTraining(boolean)} false) {@code enqueue} does nothing. The queue
 * owns native memory: close it when done.
 *
 * <p><b>Once per optimiser step.</b> A loss may be evaluated more than once per step (DJL's
 * {@code Trainer} evaluates it again for its accumulator; a step with non-finite gradients may be
 * repeated). Code that computes a loss therefore {@link #stage}s the batch's keys (a later stage
 * in the same step replaces them) and the training loop calls {@link #commit()} once after the
 * optimiser step, which enqueues the staged keys.
 */
public final class NegativeQueue implements AutoCloseable {

    private final NDManager manager;
    private final NDArray buffer;
    private final int size;
    private final int dim;
    private int pointer;
    private long enqueued;
    private boolean training = true;
    private NDArray staged;

    /**
     * Creates a queue filled with random unit vectors.
     *
     * @param parent the manager whose device the queue lives on
     * @param size the number of keys K
     * @param dim the key dimension D
     * @param seed the seed of the initial random keys
     */
    public NegativeQueue(NDManager parent, int size, int dim, long seed) {
        this.size = Checks.atLeast("negative queue", "size", size, 1);
        this.dim = Checks.atLeast("negative queue", "dim", dim, 1);
        this.manager = parent.newSubManager();
        float[] init = new float[size * dim];
        Random rng = new Random(seed);
        for (int i = 0; i < init.length; i++) {
            init[i] = (float) rng.nextGaussian();
        }
        this.buffer = Ops.l2Normalize(manager.create(init, new Shape(size, dim)));
    }

    /** The capacity K. */
    public int size() {
        return size;
    }

    /** The key dimension D. */
    public int dim() {
        return dim;
    }

    /** The row the next key is written to. */
    public int pointer() {
        return pointer;
    }

    /** How many keys have been enqueued since creation. */
    public long enqueued() {
        return enqueued;
    }

    /** Whether {@link #enqueue(NDArray)} stores keys. */
    public boolean isTraining() {
        return training;
    }

    /** Training mode stores keys; evaluation mode leaves the queue untouched. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /** A detached copy of the K×D keys, owned by {@code target}. */
    public NDArray negatives(NDManager target) {
        NDArray copy = buffer.duplicate();
        copy.attach(target);
        return copy;
    }

    /**
     * Stores the keys of a batch, overwriting the oldest ones and wrapping around. The keys are
     * detached and L2-normalised; a batch larger than the queue keeps its last K rows. Does
     * nothing in evaluation mode.
     *
     * @param keys the keys (N×D)
     */
    public void enqueue(NDArray keys) {
        Checks.floating("negative queue", "keys", keys, 2);
        Checks.columns("negative queue", "keys", keys, "the queue", dim);
        if (!training) {
            return;
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray k = keys.stopGradient().toType(DataType.FLOAT32, false);
            k.attach(step);
            k = Ops.l2Normalize(k);
            int n = (int) k.getShape().get(0);
            int skip = Math.max(0, n - size);
            int written = skip;
            while (written < n) {
                int len = Math.min(n - written, size - pointer);
                buffer.set(new NDIndex(pointer + ":" + (pointer + len)),
                        k.get(written + ":" + (written + len)));
                pointer = (pointer + len) % size;
                written += len;
            }
            enqueued += n;
        }
    }

    /**
     * Holds a batch's keys (a detached copy) until {@link #commit()}, replacing keys staged
     * earlier in the same step. Does nothing in evaluation mode.
     *
     * @param keys the keys (N×D)
     */
    public void stage(NDArray keys) {
        Checks.floating("negative queue", "keys", keys, 2);
        Checks.columns("negative queue", "keys", keys, "the queue", dim);
        if (!training) {
            return;
        }
        NDArray copy = keys.stopGradient().toType(DataType.FLOAT32, true);
        copy.attach(manager);
        if (staged != null) {
            staged.close();
        }
        staged = copy;
    }

    /** Whether keys are staged and not yet enqueued. */
    public boolean hasStaged() {
        return staged != null;
    }

    /** Enqueues the staged keys, if any (once per optimiser step). */
    public void commit() {
        if (staged == null) {
            return;
        }
        NDArray k = staged;
        staged = null;
        try {
            enqueue(k);
        } finally {
            k.close();
        }
    }

    /** Drops the staged keys (a step that will not be applied). */
    public void discardStaged() {
        if (staged != null) {
            staged.close();
            staged = null;
        }
    }

    /**
     * Restores the contents and write position saved from {@link #negatives} and {@link
     * #pointer} (for checkpoints).
     *
     * @param keys K·D values, row-major
     * @param pointer the next row to write
     */
    public void restore(float[] keys, int pointer) {
        if (keys.length != size * dim || pointer < 0 || pointer >= size) {
            throw new IllegalArgumentException("negative queue: cannot restore " + keys.length
                    + " values at pointer " + pointer + " into a " + size + "×" + dim + " queue");
        }
        buffer.set(keys);
        this.pointer = pointer;
    }

    @Override
    public void close() {
        manager.close();
    }
}
