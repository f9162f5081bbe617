package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * A self-supervised method: owns the networks it needs and turns two batches of views into a
 * scalar loss. The trainer loop, checkpoints and evaluation are the same for every method.
 */
public interface Method extends AutoCloseable {

    /** The method's CLI name. */
    String name();

    /** The encoder whose features are evaluated. */
    Block encoder();

    /** The parameters the optimiser updates, by names that are stable across runs. */
    Map<String, Parameter> trainableParameters();

    /**
     * The loss of one step; called inside a gradient collector.
     *
     * @param ps the parameter store
     * @param viewA first views (rows s·P+p: pair p of image s), N·P×1×H×W
     * @param viewB their partners
     * @return the scalar loss
     */
    NDArray loss(ParameterStore ps, NDArray viewA, NDArray viewB);

    /** Called after the optimiser step (MoCo's momentum update). */
    default void afterStep(NDManager scratch) {}

    /** Writes the networks and any other state. */
    void save(DataOutputStream out) throws IOException;

    /** Restores what {@link #save} wrote. */
    void load(NDManager manager, DataInputStream in) throws IOException;

    @Override
    default void close() {}
}
