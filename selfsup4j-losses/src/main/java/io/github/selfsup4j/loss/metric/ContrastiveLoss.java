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
 * The pairwise contrastive (margin) loss of Hadsell, Chopra and LeCun (CVPR 2006).
 *
 * <p>Inputs {@code x1}, {@code x2} (N×D) and the integer {@code label} (N; 1 for a similar pair,
 * 0 for a dissimilar one). With \(d_n = \lVert x_{1,n} - x_{2,n}\rVert_2\):
 *
 * <p>\( L = \frac{1}{N}\sum_n \left[ y_n d_n^2 + (1 - y_n)\max(0, m - d_n)^2 \right] \)
 *
 * <p>Default {@code margin} m = 1.0. The similar term uses \(d^2\) directly; the distance in the
 * dissimilar term is clamped below at 1e-12, so the gradient stays finite when {@code x1 == x2}.
 * In DJL's convention {@code predictions = [x1, x2]} and {@code labels = [label]}.
 */
public final class ContrastiveLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "contrastive";

    private final double margin;

    private ContrastiveLoss(Builder b) {
        super(b.name);
        this.margin = Checks.positive(NAME, "margin", b.margin);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("x1"), InputSpec.prediction("x2"),
                InputSpec.integerLabel("label"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray a = Checks.floating(NAME, "x1", in.get("x1"), 2);
        NDArray b = Checks.floating(NAME, "x2", in.get("x2"), 2);
        Checks.sameShape(NAME, "x1", a, "x2", b);
        NDArray y = Checks.integer(NAME, "label", in.get("label"), 1);
        Checks.rows(NAME, "label", y, "x1", a.getShape().get(0));
        Checks.values(NAME, "label", y, 0, 1);
        DataType t = Ops.computeType(a, b);
        a = Ops.promote(a, t);
        b = Ops.promote(b, t);
        NDArray yf = y.toType(t, false);
        NDArray d2 = a.sub(b).square().sum(new int[] {1});
        NDArray d = Ops.euclidean(a, b);
        NDArray dissimilar = Ops.relu(d.neg().add(margin)).square();
        NDArray loss = yf.mul(d2).add(yf.neg().add(1.0).mul(dissimilar)).mean();
        return LossOutput.of(loss);
    }

    /** Builds a {@link ContrastiveLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double margin = 1.0;

        private Builder() {}

        /** The margin m > 0 (default 1.0). */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** The name DJL reports the loss under (default "contrastive"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public ContrastiveLoss build() {
            return new ContrastiveLoss(this);
        }
    }
}
