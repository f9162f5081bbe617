package io.github.selfsup4j.loss.adversarial;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.numerics.Ops;
import java.util.Locale;

/**
 * The original GAN loss as binary cross-entropy (Goodfellow et al. 2014).
 *
 * <p>Discriminator: \( L_D = \mathrm{BCE}(D(x), 1) + \mathrm{BCE}(D(G(z)), 0) \), the sum of the two
 * batch means (components {@code real} and {@code fake}). Generator, non-saturating (default):
 * \( L_G = \mathrm{BCE}(D(G(z)), 1) = \frac1N\sum \mathrm{softplus}(-f) \); saturating: \( L_G =
 * -\mathrm{BCE}(D(G(z)), 0) = \frac1N\sum \log(1 - \sigma(f)) \).
 *
 * <p>With {@code from_logits} (default true) inputs are logits and BCE is computed as a stable
 * softplus. Otherwise they are probabilities in [0, 1] and the logarithms are clamped at -100 as
 * in PyTorch's {@code BCELoss} (in float32 a probability below 1e-37 counts as 1e-37, keeping the
 * gradient finite). Unlike DJL's {@code SigmoidBinaryCrossEntropyLoss(fromSigmoid=true)}, the
 * sign is right: see the tests.
 */
public final class GanBceLoss extends AdversarialLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "gan-bce";

    /** The generator's objective. */
    public enum GeneratorObjective {
        /** Minimise -log D(G(z)) (default). */
        NON_SATURATING,
        /** Minimise log(1 - D(G(z))), the minimax form. */
        SATURATING;

        /** Parses "non-saturating" or "saturating". */
        public static GeneratorObjective parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (v.equals("non-saturating")) {
                return NON_SATURATING;
            }
            if (v.equals("saturating")) {
                return SATURATING;
            }
            throw new IllegalArgumentException(
                    NAME + ": generator must be \"non-saturating\" or \"saturating\", got \"" + s
                            + "\"");
        }
    }

    private final boolean fromLogits;
    private final GeneratorObjective objective;

    private GanBceLoss(Builder b) {
        super(b.name, b.role);
        this.fromLogits = b.fromLogits;
        if (b.objective == null) {
            throw new IllegalArgumentException(NAME + ": generator objective must be set");
        }
        this.objective = b.objective;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected LossOutput discriminator(NDArray real, NDArray fake) {
        NDArray r = bce(real, true);
        NDArray f = bce(fake, false);
        return LossOutput.of(r.add(f), "real", r, "fake", f);
    }

    @Override
    protected NDArray generator(NDArray fake) {
        return objective == GeneratorObjective.NON_SATURATING
                ? bce(fake, true)
                : bce(fake, false).neg();
    }

    /** Mean binary cross-entropy of {@code x} against an all-ones or all-zeros target. */
    private NDArray bce(NDArray x, boolean targetOne) {
        if (fromLogits) {
            return Ops.softplus(targetOne ? x.neg() : x).mean();
        }
        checkProbabilities(x);
        double tiny = x.getDataType() == DataType.FLOAT64 ? Math.exp(-100) : 1e-37;
        NDArray p = targetOne ? x : x.neg().add(1.0);
        return Ops.atLeast(Ops.atLeast(p, tiny).log(), -100.0).neg().mean();
    }

    private void checkProbabilities(NDArray x) {
        float min = x.min().toType(DataType.FLOAT32, false).getFloat();
        float max = x.max().toType(DataType.FLOAT32, false).getFloat();
        if (!(min >= 0 && max <= 1)) {
            throw new IllegalArgumentException(
                    NAME + ": with from_logits=false inputs must be probabilities in [0, 1], got"
                            + " values in [" + min + ", " + max + "]");
        }
    }

    /** Builds a {@link GanBceLoss}. */
    public static final class Builder {
        private String name = NAME;
        private GanRole role = GanRole.DISCRIMINATOR;
        private boolean fromLogits = true;
        private GeneratorObjective objective = GeneratorObjective.NON_SATURATING;

        private Builder() {}

        /** The player trained (default discriminator). */
        public Builder optRole(GanRole role) {
            this.role = role;
            return this;
        }

        /** Whether inputs are logits (default true) or probabilities. */
        public Builder optFromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        /** The generator's objective (default non-saturating). */
        public Builder optGenerator(GeneratorObjective objective) {
            this.objective = objective;
            return this;
        }

        /** The name DJL reports the loss under (default "gan-bce"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public GanBceLoss build() {
            return new GanBceLoss(this);
        }
    }
}
