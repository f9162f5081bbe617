package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman, Ginsburg 2017), as used by SimCLR, BYOL
 * and Barlow Twins. For a weight \(w\) with gradient \(g\):
 *
 * <p>\( g' = g + \beta w,\quad r = \eta\,\frac{\lVert w\rVert}{\lVert g'\rVert}\ (r = 1 \text{ if
 * either norm is } 0),\quad v \leftarrow \mu v + \gamma\, r\, g',\quad w \leftarrow w - v \)
 *
 * <p>with learning rate γ from the schedule, momentum μ, weight decay β and trust coefficient η.
 * Biases and BatchNorm parameters (the 1-D parameters) get neither weight decay nor the trust
 * ratio: \( v \leftarrow \mu v + \gamma g \).
 */
public final class Lars extends StatefulOptimizer {

    private final double momentum;
    private final double weightDecay;
    private final double trust;

    /**
     * Creates LARS.
     *
     * @param parent the manager its state lives under
     * @param schedule the learning-rate schedule
     * @param momentum μ (e.g. 0.9)
     * @param weightDecay β (e.g. 1e-6 for SimCLR, 1.5e-6 for Barlow Twins)
     * @param trust η (e.g. 0.001 in the paper; SimCLR's code effectively uses 1 with its own lr)
     */
    public Lars(NDManager parent, Schedule schedule, double momentum, double weightDecay,
            double trust) {
        super(parent, schedule);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.trust = trust;
    }

    @Override
    protected int buffers() {
        return 1;
    }

    @Override
    protected void apply(String id, NDArray weight, NDArray g, NDArray w, NDArray[] state,
            double lr) {
        double scale = lr;
        if (!isBiasOrNorm(id, weight)) {
            double wn = w.norm().getFloat();
            if (weightDecay != 0) {
                g.addi(w.muli(weightDecay));
            }
            double gn = g.norm().getFloat();
            if (wn > 0 && gn > 0) {
                scale *= trust * wn / gn;
            }
        }
        NDArray v = state[0];
        v.muli(momentum).addi(g.muli(scale));
        weight.subi(v);
    }
}
