package io.github.selfsup4j.loss.adversarial;

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
 * Common part of the GAN losses: the role decides the inputs ({@code real_logits} and {@code
 * fake_logits} for the discriminator, {@code fake_logits} for the generator). Scores are vectors
 * (N) or column matrices (N×1); real and fake batches may differ in size.
 */
public abstract class AdversarialLoss extends SelfSupLoss {

    private final GanRole role;

    /**
     * Creates the loss.
     *
     * @param name the name DJL reports
     * @param role the player it trains
     */
    protected AdversarialLoss(String name, GanRole role) {
        super(name);
        if (role == null) {
            throw new IllegalArgumentException(name + ": role must be set");
        }
        this.role = role;
    }

    /** The player this loss trains. */
    public GanRole role() {
        return role;
    }

    @Override
    public List<InputSpec> inputs() {
        return role == GanRole.DISCRIMINATOR
                ? List.of(InputSpec.prediction("real_logits"), InputSpec.prediction("fake_logits"))
                : List.of(InputSpec.prediction("fake_logits"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray fake = scores(in, "fake_logits");
        if (role == GanRole.GENERATOR) {
            return LossOutput.of(generator(Ops.promote(fake, Ops.computeType(fake))));
        }
        NDArray real = scores(in, "real_logits");
        DataType t = Ops.computeType(real, fake);
        return discriminator(Ops.promote(real, t), Ops.promote(fake, t));
    }

    private NDArray scores(Map<String, NDArray> in, String name) {
        NDArray x = Checks.present(getName(), name, in.get(name));
        if (x.getShape().dimension() == 2 && x.getShape().get(1) == 1) {
            x = x.squeeze(1);
        }
        return Checks.floating(getName(), name, x, 1);
    }

    /** The discriminator's loss with its two terms as components {@code real} and {@code fake}. */
    protected abstract LossOutput discriminator(NDArray real, NDArray fake);

    /** The generator's loss. */
    protected abstract NDArray generator(NDArray fake);
}
