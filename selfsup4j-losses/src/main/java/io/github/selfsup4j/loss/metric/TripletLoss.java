package io.github.selfsup4j.loss.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * The triplet margin loss (Schroff et al. 2015; distance swap of Balntas et al. 2016), defined as
 * PyTorch's {@code TripletMarginLoss}.
 *
 * <p>Inputs {@code anchor}, {@code positive}, {@code negative} (N×D). With PyTorch's pairwise
 * distance \(d(x, y) = \lVert x - y + \epsilon\rVert_p\), ε = 1e-6:
 *
 * <p>\( L = \frac{1}{N}\sum_n \max\left(0,\; d(a_n, p_n) - d'(a_n, n_n) + m\right) \) where
 * \(d'(a, n) = \min(d(a, n), d(p, n))\) when {@code swap} is set and \(d(a, n)\) otherwise.
 *
 * <p>Defaults: {@code margin} 1.0, {@code p} 2, {@code swap} false. {@code p} must be ≥ 1 (a
 * norm). The ε shift keeps the gradient finite when anchor and positive coincide. In DJL's
 * convention {@code predictions = [anchor, positive, negative]}.
 */
public final class TripletLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "triplet";

    /** PyTorch's pairwise-distance epsilon. */
    public static final double EPS = 1e-6;

    private final double margin;
    private final double p;
    private final boolean swap;

    private TripletLoss(Builder b) {
        super(b.name);
        this.margin = Checks.positive(NAME, "margin", b.margin);
        if (!Double.isFinite(b.p) || b.p < 1) {
            throw new IllegalArgumentException(
                    NAME + ": p must be a finite number >= 1 (a norm), got " + b.p);
        }
        this.p = b.p;
        this.swap = b.swap;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("anchor"), InputSpec.prediction("positive"),
                InputSpec.prediction("negative"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray a = Checks.floating(NAME, "anchor", in.get("anchor"), 2);
        NDArray pos = Checks.floating(NAME, "positive", in.get("positive"), 2);
        NDArray neg = Checks.floating(NAME, "negative", in.get("negative"), 2);
        Checks.sameShape(NAME, "anchor", a, "positive", pos);
        Checks.sameShape(NAME, "anchor", a, "negative", neg);
        DataType t = Ops.computeType(a, pos, neg);
        a = Ops.promote(a, t);
        pos = Ops.promote(pos, t);
        neg = Ops.promote(neg, t);
        NDArray dap = distance(a, pos);
        NDArray dan = distance(a, neg);
        if (swap) {
            dan = dan.minimum(distance(pos, neg));
        }
        return LossOutput.of(Ops.relu(dap.sub(dan).add(margin)).mean());
    }

    /** PyTorch's {@code pairwise_distance(x, y, p, eps=1e-6)}. */
    NDArray distance(NDArray x, NDArray y) {
        NDArray v = x.sub(y).add(EPS); // add(Number) is safe: its backward keeps no scalar
        if (p == 2.0) {
            return Ops.atLeast(v.square().sum(new int[] {1}), 1e-30).sqrt();
        }
        if (p == 1.0) {
            return v.abs().sum(new int[] {1});
        }
        return Ops.power(Ops.atLeast(Ops.power(v.abs(), p).sum(new int[] {1}), 1e-30), 1.0 / p);
    }

    /** Builds a {@link TripletLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double margin = 1.0;
        private double p = 2.0;
        private boolean swap;

        private Builder() {}

        /** The margin m > 0 (default 1.0). */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** The norm degree p >= 1 (default 2). */
        public Builder optP(double p) {
            this.p = p;
            return this;
        }

        /** Whether to use the distance swap (default false). */
        public Builder optSwap(boolean swap) {
            this.swap = swap;
            return this;
        }

        /** The name DJL reports the loss under (default "triplet"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public TripletLoss build() {
            return new TripletLoss(this);
        }
    }
}
