package io.github.selfsup4j.method;

import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import picocli.CommandLine.Option;

/**
 * SimCLR (Chen et al. 2020): two augmented views per image, NT-Xent over the batch. With
 * {@code --pairs-per-sample P} each image gives P view pairs, all of them excluded from each
 * other's negatives.
 */
public final class SimClr extends TwoViewMethod {

    /** SimCLR's options; defaults are NT-Xent's. */
    public static final class Options implements MethodOptions {
        private static final NtXentLoss DEFAULTS = NtXentLoss.builder().build();

        @Option(names = "--temperature", description = "NT-Xent temperature τ (default"
                + " ${DEFAULT-VALUE}).")
        public double temperature = DEFAULTS.temperature();

        @Option(names = "--pairs-per-sample", description = "View pairs per image (default"
                + " ${DEFAULT-VALUE}).")
        public int pairsPerSample = DEFAULTS.pairsPerSample();

        @Override
        public void validate() {
            Check.positive("--temperature", temperature);
            Check.atLeast("--pairs-per-sample", pairsPerSample, 1);
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("simclr",
            "SimCLR: NT-Xent over two views (default)", Options.class, Options::new, s -> {},
            SimClr::new);

    private SimClr(SslSetup setup, Options o) {
        super(setup, NtXentLoss.builder().optTemperature(o.temperature)
                .optPairsPerSample(o.pairsPerSample).optName("simclr").build(), o.pairsPerSample);
    }
}
