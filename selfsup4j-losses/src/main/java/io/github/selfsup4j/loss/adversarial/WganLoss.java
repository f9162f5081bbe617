package io.github.selfsup4j.loss.adversarial;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.loss.LossOutput;

/**
 * The Wasserstein GAN loss (Arjovsky, Chintala, Bottou 2017) on critic scores.
 *
 * <p>Critic: \( L_D = \frac{1}{N_f}\sum D(G(z)) - \frac{1}{N_r}\sum D(x) \) (components {@code
 * real} = mean real score, {@code fake} = mean fake score). Generator: \( L_G = -\frac{1}{N_f}\sum
 * D(G(z)) \). For WGAN-GP add {@link GradientPenalty} to the critic's loss.
 */
public final class WganLoss extends AdversarialLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "wgan";

    private WganLoss(Builder b) {
        super(b.name, b.role);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected LossOutput discriminator(NDArray real, NDArray fake) {
        NDArray r = real.mean();
        NDArray f = fake.mean();
        return LossOutput.of(f.sub(r), "real", r, "fake", f);
    }

    @Override
    protected NDArray generator(NDArray fake) {
        return fake.mean().neg();
    }

    /** Builds a {@link WganLoss}. */
    public static final class Builder {
        private String name = NAME;
        private GanRole role = GanRole.DISCRIMINATOR;

        private Builder() {}

        /** The player trained (default discriminator, i.e. the critic). */
        public Builder optRole(GanRole role) {
            this.role = role;
            return this;
        }

        /** The name DJL reports the loss under (default "wgan"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Builds the loss. */
        public WganLoss build() {
            return new WganLoss(this);
        }
    }
}
