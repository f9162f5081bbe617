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
 * Softmax cross-entropy on logits with label smoothing, as PyTorch's {@code CrossEntropyLoss}
 * (class-index targets, mean reduction).
 *
 * <p>Inputs {@code logits} (N×C) and the integer {@code target} (N). With \(\ell =
 * \log\mathrm{softmax}(x)\) and smoothing ε:
 *
 * <p>\( L = \frac1N\sum_n \left[ -(1-\epsilon)\,\ell_{n,t_n} - \frac{\epsilon}{C}\sum_c \ell_{n,c}
 * \right] \)
 *
 * <p>Default {@code label_smoothing} 0, allowed in [0, 1].
 *
 * <p>Logits of −∞ (or −1e300 cast to float32) are classes of probability 0, as in PyTorch's
 * {@code F.cross_entropy}: without smoothing they are simply left out (the target's score is
 * picked, never multiplied by a one-hot, which would give −∞·0 = NaN). With smoothing ε > 0 the
 * smoothed target gives such a class ε/C of mass, so the value is +∞ (so is PyTorch's), while
 * the gradient stays finite and equal to PyTorch's, (softmax − (1−ε)·onehot − ε/C)/N: the
 * value is kept honest rather than clamped, and the JSON {@code loss} command reports it as an
 * error. A target logit of −∞ gives +∞ with that same finite gradient.
 */
public final class CrossEntropyLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "cross-entropy";

    private final double labelSmoothing;

    private CrossEntropyLoss(Builder b) {
        super(b.name);
        if (!Double.isFinite(b.labelSmoothing) || b.labelSmoothing < 0 || b.labelSmoothing > 1) {
            throw new IllegalArgumentException(
                    NAME + ": label_smoothing must be in [0, 1], got " + b.labelSmoothing);
        }
        this.labelSmoothing = b.labelSmoothing;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("logits"), InputSpec.integerLabel("target"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray x = Checks.floating(NAME, "logits", in.get("logits"), 2);
        NDArray index = ClassTargets.index(NAME, x, in.get("target"));
        x = Ops.promote(x, Ops.computeType(x));
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray logp = x.sub(Ops.logSumExp(x, 1, true));
        // picked, not multiplied by a one-hot: a logit of −∞ elsewhere would give −∞·0 = NaN
        NDArray nll = ClassTargets.pick(logp, index).mean().neg();
        if (labelSmoothing == 0) {
            return LossOutput.of(nll);
        }
        NDArray uniform = Ops.scale(logp.sum(), -1.0 / ((double) n * c));
        return LossOutput.of(Ops.scale(nll, 1 - labelSmoothing).add(Ops.scale(uniform, labelSmoothing)));
    }

    /** Builds a {@link CrossEntropyLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double labelSmoothing;

        private Builder() {}

        /** Label smoothing ε in [0, 1] (default 0). */
        public Builder optLabelSmoothing(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /** The name DJL reports the loss under (default "cross-entropy"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public CrossEntropyLoss build() {
            return new CrossEntropyLoss(this);
        }
    }
}
