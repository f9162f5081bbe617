package io.github.selfsup4j.gan;

import io.github.selfsup4j.method.Check;
import picocli.CommandLine.Option;

/**
 * The options of the GAN job ({@code selfsup4j gan}), declared once: a picocli mixin and the
 * run's configuration in its checkpoint and {@code metrics.json} (public fields, JSON).
 * Defaults that depend on the loss (learning rates, Adam's betas, critic steps) are null until
 * {@link #applyLossDefaults()} fills those not given. The options of every run (seed, data,
 * limit, threads) are {@link io.github.selfsup4j.method.RunOptions}'; those of the scoring are
 * {@link GanScoringOptions}'.
 */
public final class GanOptions extends GanScoringOptions {

    /** The adversarial loss of the job. */
    public enum Kind {
        /** Non-saturating BCE (Goodfellow et al. 2014), DCGAN's recipe. */
        GAN_BCE("gan-bce"),
        /** WGAN-GP (Gulrajani et al. 2017): critic without BatchNorm, λ 10, 5 critic steps. */
        WGAN_GP("wgan-gp"),
        /** Hinge loss (Lim and Ye 2017; Miyato et al. 2018). */
        HINGE("hinge");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        /** The name on the command line. */
        public String cliName() {
            return cliName;
        }

        /** The kind named {@code s}; IllegalArgumentException naming the option otherwise. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.cliName.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--loss " + s
                    + ": must be one of gan-bce, wgan-gp, hinge");
        }
    }

    @Option(names = "--loss", description = "gan-bce (default: non-saturating), wgan-gp or"
            + " hinge.")
    public String loss = "gan-bce";

    @Option(names = "--spectral-norm", description = "Spectral normalisation of every"
            + " discriminator layer.")
    public boolean spectralNorm;

    @Option(names = "--epochs", description = "Epochs over the training images, counted in"
            + " discriminator steps (default ${DEFAULT-VALUE}).")
    // what fits the 15-minute budget with the evaluation (and the scoring classifier's one-time
    // training) on 2 cores: 139 s per epoch at one thread on an idle machine
    public int epochs = 4;

    @Option(names = "--batch-size", description = "Real images per discriminator step"
            + " (default ${DEFAULT-VALUE}).")
    public int batchSize = 64;

    @Option(names = "--lr-g", description = "Generator learning rate (default 2e-4;"
            + " wgan-gp 1e-4).")
    public Double lrG;

    @Option(names = "--lr-d", description = "Discriminator learning rate (default 2e-4;"
            + " wgan-gp 1e-4).")
    public Double lrD;

    @Option(names = "--beta1", description = "Adam β1 of both (default 0.5; wgan-gp 0).")
    public Double beta1;

    @Option(names = "--beta2", description = "Adam β2 of both (default 0.999; wgan-gp 0.9).")
    public Double beta2;

    @Option(names = "--d-steps", description = "Discriminator steps per generator step"
            + " (default 1; wgan-gp 5).")
    public Integer dSteps;

    @Option(names = "--gp-lambda", description = "Gradient-penalty weight of wgan-gp"
            + " (default ${DEFAULT-VALUE}).")
    public double gpLambda = 10;

    @Option(names = "--z-dim", description = "Dimension of the noise z (default"
            + " ${DEFAULT-VALUE}).")
    public int zDim = 100;

    @Option(names = "--g-width", description = "Generator channels at 14×14; 7×7 has twice as"
            + " many (default ${DEFAULT-VALUE}).")
    public int gWidth = 32;

    @Option(names = "--d-width", description = "Discriminator channels at 14×14 (default"
            + " ${DEFAULT-VALUE}).")
    public int dWidth = 32;

    @Option(names = "--ema", description = "Momentum of the generator's moving average"
            + " (default ${DEFAULT-VALUE}; warmed up as min(m, (1+t)/(10+t)) over G steps t).")
    public double ema = 0.999;

    @Option(names = "--no-ema", description = "Sample and evaluate the trained generator, not"
            + " its moving average.")
    public boolean noEma;

    /** The loss kind. */
    public Kind kind() {
        return Kind.parse(loss);
    }

    /** Fills the loss-dependent defaults that were not given. */
    public void applyLossDefaults() {
        boolean wgan = kind() == Kind.WGAN_GP;
        if (lrG == null) {
            lrG = wgan ? 1e-4 : 2e-4;
        }
        if (lrD == null) {
            lrD = wgan ? 1e-4 : 2e-4;
        }
        if (beta1 == null) {
            beta1 = wgan ? 0.0 : 0.5;
        }
        if (beta2 == null) {
            beta2 = wgan ? 0.9 : 0.999;
        }
        if (dSteps == null) {
            dSteps = wgan ? 5 : 1;
        }
    }

    /** Checks every option; the message names the option and its value. */
    @Override
    public void validate() {
        kind();
        Check.atLeast("--epochs", epochs, 1);
        Check.atLeast("--batch-size", batchSize, 2);
        if (lrG != null) {
            Check.positive("--lr-g", lrG);
        }
        if (lrD != null) {
            Check.positive("--lr-d", lrD);
        }
        if (beta1 != null) {
            Check.inRange("--beta1", beta1, 0, 1, false);
        }
        if (beta2 != null) {
            Check.inRange("--beta2", beta2, 0, 1, false);
        }
        if (dSteps != null) {
            Check.atLeast("--d-steps", dSteps, 1);
        }
        Check.nonNegative("--gp-lambda", gpLambda);
        Check.atLeast("--z-dim", zDim, 1);
        // PyTorch 2.7.1's CPU convolution backward with 8 channels can read unwritten memory
        Check.atLeast("--g-width", gWidth, 16);
        Check.atLeast("--d-width", dWidth, 16);
        Check.inRange("--ema", ema, 0, 1, false);
        super.validate();
    }
}
