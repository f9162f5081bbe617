package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Adam (Kingma and Ba 2015) with decoupled weight decay (AdamW, Loshchilov and Hutter 2019) that
 * spares biases and BatchNorm parameters, and checkpointable state.
 */
public final class Adam extends StatefulOptimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /** Creates Adam with β1 0.9, β2 0.999, ε 1e-8 and the given decoupled weight decay. */
    public Adam(NDManager parent, Schedule schedule, double weightDecay) {
        this(parent, schedule, weightDecay, 0.9, 0.999);
    }

    /**
     * Creates Adam with the given β1 and β2 (GANs use β1 0.5 or 0, β2 0.9 or 0.999), ε 1e-8 and
     * decoupled weight decay.
     */
    public Adam(NDManager parent, Schedule schedule, double weightDecay, double beta1,
            double beta2) {
        super(parent, schedule);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adam: beta1 and beta2 must be in [0, 1), got "
                    + beta1 + " and " + beta2);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = 1e-8;
        this.weightDecay = weightDecay;
    }

    @Override
    protected int buffers() {
        return 2;
    }

    @Override
    protected void apply(String id, NDArray weight, NDArray g, NDArray w, NDArray[] state,
            double lr) {
        long t = step() + 1;
        NDArray m = state[0];
        NDArray v = state[1];
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().muli(1 - beta2));
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        NDArray mHat = m.duplicate();
        mHat.attach(g.getManager());
        NDArray vHat = v.duplicate();
        vHat.attach(g.getManager());
        NDArray delta = mHat.divi(c1).divi(vHat.divi(c2).sqrt().addi(eps)).muli(lr);
        if (weightDecay != 0 && !isBiasOrNorm(id, weight)) {
            delta.addi(w.muli(lr * weightDecay));
        }
        weight.subi(delta);
    }
}
