package io.github.selfsup4j.loss.adversarial;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.numerics.Ops;

/**
 * The hinge GAN loss (Lim and Ye 2017; Miyato et al. 2018, SN-GAN).
 *
 * <p>Discriminator: \( L_D = \frac1{N_r}\sum \max(0, 1 - D(x)) + \frac1{N_f}\sum \max(0, 1 +
 * D(G(z))) \) (components {@code real} and {@code fake}). Generator: \( L_G = -\frac1{N_f}\sum
 * D(G(z)) \).
 */
public final class HingeGanLoss extends AdversarialLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "hinge-gan";

    private HingeGanLoss(Builder b) {
        super(b.name, b.role);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected LossOutput discriminator(NDArray real, NDArray fake) {
        NDArray r = Ops.relu(real.neg().add(1.0)).mean();
        NDArray f = Ops.relu(fake.add(1.0)).mean();
        return LossOutput.of(r.add(f), "real", r, "fake", f);
    }

    @Override
    protected NDArray generator(NDArray fake) {
        return fake.mean().neg();
    }

    /** Builds a {@link HingeGanLoss}. */
    public static final class Builder {
        private String name = NAME;
        private GanRole role = GanRole.DISCRIMINATOR;

        private Builder() {}

        /** The player trained (default discriminator). */
        public Builder optRole(GanRole role) {
            this.role = role;
            return this;
        }

        /** The name DJL reports the loss under (default "hinge-gan"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Builds the loss. */
        public HingeGanLoss build() {
            return new HingeGanLoss(this);
        }
    }
}
