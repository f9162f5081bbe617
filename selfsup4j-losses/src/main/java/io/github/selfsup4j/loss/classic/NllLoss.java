package io.github.selfsup4j.loss.classic;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * Negative log-likelihood \( L = -\frac1N\sum_n \mathrm{logp}_{n, t_n} \), as PyTorch's {@code
 * NLLLoss} with mean reduction. Inputs {@code log_probs} (N×C) and the integer {@code target} (N,
 * class indices in [0, C)). Only the target entries are read (picked, as PyTorch does), so
 * entries of −∞ elsewhere are fine; a target entry of −∞ gives +∞, as in PyTorch, with the
 * gradient −1/N there and 0 elsewhere.
 */
public final class NllLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "nll";

    /** Creates the loss under its default name. */
    public NllLoss() {
        this(NAME);
    }

    /** Creates the loss under a given name. */
    public NllLoss(String name) {
        super(name);
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("log_probs"), InputSpec.integerLabel("target"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray lp = Checks.floating(NAME, "log_probs", in.get("log_probs"), 2);
        NDArray index = ClassTargets.index(NAME, lp, in.get("target"));
        lp = Ops.promote(lp, Ops.computeType(lp));
        // the target entries only: other entries may be −∞ (a class of probability 0)
        return LossOutput.of(ClassTargets.pick(lp, index).mean().neg());
    }
}
