package io.github.selfsup4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;

/**
 * A momentum (exponential moving average) copy of a network: {@code θt ← m·θt + (1 − m)·θo}
 * after every optimiser step of the online network. MoCo's key encoder, BYOL's target network
 * and a GAN generator's EMA are all one. The target takes no gradients; its BatchNorm running
 * statistics are its own (it normalises with its own batch statistics in training mode).
 */
public final class MomentumNetwork {

    private final Block online;
    private final Block target;

    /**
     * Initialises {@code target} (a second instance of {@code online}'s architecture) and copies
     * the online weights into it.
     *
     * @param online the trained network (already initialised)
     * @param target the copy
     * @param manager where the copy's parameters live
     * @param input the input shape, for initialisation
     */
    public MomentumNetwork(Block online, Block target, NDManager manager, Shape... input) {
        this.online = online;
        this.target = target;
        target.initialize(manager, DataType.FLOAT32, input);
        freezeTarget();
        update(0.0, manager);
    }

    /** The momentum network. */
    public Block target() {
        return target;
    }

    /** The online network. */
    public Block online() {
        return online;
    }

    /** Marks the target's parameters as taking no gradient (also after loading them). */
    public void freezeTarget() {
        for (Pair<String, Parameter> p : target.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
    }

    /**
     * {@code θt ← m·θt + (1 − m)·θo} for every trained parameter.
     *
     * @param momentum m in [0, 1]: 0 copies, 1 keeps the target
     * @param scratch a manager for temporaries (closed by the caller)
     */
    public void update(double momentum, NDManager scratch) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        ParameterList op = online.getParameters();
        ParameterList tp = target.getParameters();
        try (NDManager tmp = scratch.newSubManager()) {
            for (int i = 0; i < op.size(); i++) {
                Parameter o = op.get(i).getValue();
                if (!o.requiresGradient()) {
                    continue; // BatchNorm running statistics stay the target's own
                }
                NDArray oa = o.getArray().duplicate();
                oa.attach(tmp);
                tp.get(i).getValue().getArray().muli(momentum).addi(oa.muli(1.0 - momentum));
            }
        }
    }

    /**
     * BYOL's momentum schedule: {@code 1 − (1 − base)·(cos(π·progress) + 1)/2}, from {@code base}
     * at the start to 1 at the end (Grill et al. 2020).
     *
     * @param base the starting momentum
     * @param progress the run's progress in [0, 1]
     * @return the momentum
     */
    public static double cosineMomentum(double base, double progress) {
        double p = Math.min(1, Math.max(0, progress));
        return 1 - (1 - base) * (Math.cos(Math.PI * p) + 1) / 2;
    }
}
