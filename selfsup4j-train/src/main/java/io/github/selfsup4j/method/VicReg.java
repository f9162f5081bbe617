package io.github.selfsup4j.method;

import io.github.selfsup4j.loss.redundancy.VicRegLoss;
import picocli.CommandLine.Option;

/**
 * VICReg (Bardes et al. 2022): invariance, variance and covariance terms. A 3-layer, wider
 * projector, as the paper (scaled from 8192 to 512).
 */
public final class VicReg extends TwoViewMethod {

    /** VICReg's options; defaults are the loss's (the paper's). */
    public static final class Options implements MethodOptions {
        private static final VicRegLoss DEFAULTS = VicRegLoss.builder().build();

        @Option(names = "--sim-coeff", description = "Invariance weight (default"
                + " ${DEFAULT-VALUE}).")
        public double simCoeff = DEFAULTS.simCoeff();

        @Option(names = "--std-coeff", description = "Variance weight (default"
                + " ${DEFAULT-VALUE}).")
        public double stdCoeff = DEFAULTS.stdCoeff();

        @Option(names = "--cov-coeff", description = "Covariance weight (default"
                + " ${DEFAULT-VALUE}).")
        public double covCoeff = DEFAULTS.covCoeff();

        @Override
        public void validate() {
            Check.nonNegative("--sim-coeff", simCoeff);
            Check.nonNegative("--std-coeff", stdCoeff);
            Check.nonNegative("--cov-coeff", covCoeff);
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("vicreg",
            "VICReg: variance, invariance, covariance", Options.class, Options::new, s -> {
                s.projectionLayers = 3;
                s.projectionDim = 512;
            }, VicReg::new);

    private VicReg(SslSetup setup, Options o) {
        super(setup, VicRegLoss.builder().optSimCoeff(o.simCoeff).optStdCoeff(o.stdCoeff)
                .optCovCoeff(o.covCoeff).optName("vicreg").build(), 1);
    }
}
