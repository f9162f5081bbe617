package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** SGD with momentum and (coupled) weight decay that spares biases and BatchNorm parameters. */
public final class Sgd extends StatefulOptimizer {

    private final double momentum;
    private final double weightDecay;

    /** Creates SGD. */
    public Sgd(NDManager parent, Schedule schedule, double momentum, double weightDecay) {
        super(parent, schedule);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    protected int buffers() {
        return 1;
    }

    @Override
    protected void apply(String id, NDArray weight, NDArray g, NDArray w, NDArray[] state,
            double lr) {
        if (weightDecay != 0 && !isBiasOrNorm(id, weight)) {
            g.addi(w.muli(weightDecay));
        }
        NDArray v = state[0];
        v.muli(momentum).addi(g);
        NDArray delta = v.duplicate();
        delta.attach(g.getManager());
        weight.subi(delta.muli(lr));
    }
}
