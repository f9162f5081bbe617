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
 * Binary hinge loss \( L = \frac1N\sum_n \max(0, m - y_n s_n) \). Inputs {@code scores} (N) and
 * the integer {@code labels} (N, each −1 or +1). Default {@code margin} 1.0.
 */
public final class HingeLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "hinge";

    private final double margin;

    private HingeLoss(Builder b) {
        super(b.name);
        this.margin = Checks.positive(NAME, "margin", b.margin);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("scores"), InputSpec.integerLabel("labels"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray s = Checks.floating(NAME, "scores", in.get("scores"), 1);
        NDArray y = Checks.integer(NAME, "labels", in.get("labels"), 1);
        Checks.rows(NAME, "labels", y, "scores", s.getShape().get(0));
        Checks.signs(NAME, "labels", y);
        s = Ops.promote(s, Ops.computeType(s));
        NDArray ys = y.toType(s.getDataType(), false).mul(s);
        return LossOutput.of(Ops.relu(ys.neg().add(margin)).mean());
    }

    /** Builds a {@link HingeLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double margin = 1.0;

        private Builder() {}

        /** The margin m > 0 (default 1.0). */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** The name DJL reports the loss under (default "hinge"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public HingeLoss build() {
            return new HingeLoss(this);
        }
    }
}
