package io.github.selfsup4j.method;

import io.github.selfsup4j.loss.contrastive.HclLoss;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Hard-negative contrastive learning (Robinson et al. 2021) on SimCLR's pipeline. */
public final class Hcl extends TwoViewMethod {

    /** HCL's options; defaults are the loss's (the paper's). */
    public static final class Options implements MethodOptions {
        private static final HclLoss DEFAULTS = HclLoss.builder().build();

        @Option(names = "--temperature", description = "Temperature τ (default"
                + " ${DEFAULT-VALUE}).")
        public double temperature = DEFAULTS.temperature();

        @Option(names = "--tau-plus", description = "Class prior τ⁺ (default ${DEFAULT-VALUE}).")
        public double tauPlus = DEFAULTS.tauPlus();

        @Option(names = "--beta", description = "Hardness β (default ${DEFAULT-VALUE}).")
        public double beta = DEFAULTS.beta();

        @Option(names = "--estimator", converter = EstimatorConverter.class,
                description = "hard (default) or easy (plain SimCLR).")
        public HclLoss.Estimator estimator = DEFAULTS.estimator();

        @Override
        public void validate() {
            Check.positive("--temperature", temperature);
            Check.inRange("--tau-plus", tauPlus, 0, 1, false);
            Check.nonNegative("--beta", beta);
        }
    }

    /** Converts {@code --estimator}. */
    static final class EstimatorConverter implements ITypeConverter<HclLoss.Estimator> {
        @Override
        public HclLoss.Estimator convert(String value) {
            try {
                return HclLoss.Estimator.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "must be hard or easy, got \"" + value + "\"");
            }
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("hcl",
            "HCL: hard negatives, debiased", Options.class, Options::new, s -> {}, Hcl::new);

    private Hcl(SslSetup setup, Options o) {
        super(setup, HclLoss.builder().optTemperature(o.temperature).optTauPlus(o.tauPlus)
                .optBeta(o.beta).optEstimator(o.estimator).optName("hcl").build(), 1);
    }
}
