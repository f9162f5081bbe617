package io.github.selfsup4j.loss.classic;

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
 * Mean squared error \( L = \frac{1}{|x|}\sum (x - t)^2 \) over all elements, as PyTorch's {@code
 * MSELoss}. Note that DJL's {@code L2Loss} is half of this. Inputs {@code input} and {@code
 * target} of any identical shape; in DJL's convention the target comes in {@code labels}.
 */
public final class MseLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "mse";

    /** Creates the loss under its default name. */
    public MseLoss() {
        this(NAME);
    }

    /** Creates the loss under a given name. */
    public MseLoss(String name) {
        super(name);
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("input"), InputSpec.target("target"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray x = Checks.present(NAME, "input", in.get("input"));
        NDArray t = Checks.present(NAME, "target", in.get("target"));
        Checks.floating(NAME, "input", x, x.getShape().dimension());
        Checks.floating(NAME, "target", t, t.getShape().dimension());
        Checks.sameShape(NAME, "input", x, "target", t);
        if (x.size() == 0) {
            throw new IllegalArgumentException(NAME + ": input must not be empty, got shape "
                    + x.getShape());
        }
        DataType d = Ops.computeType(x, t);
        return LossOutput.of(Ops.promote(x, d).sub(Ops.promote(t, d)).square().mean());
    }
}
