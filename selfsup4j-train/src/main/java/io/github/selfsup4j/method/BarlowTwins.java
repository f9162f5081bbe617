package io.github.selfsup4j.method;

import io.github.selfsup4j.loss.redundancy.BarlowTwinsLoss;
import picocli.CommandLine.Option;

/**
 * Barlow Twins (Zbontar et al. 2021): the cross-correlation of the two views' embeddings pushed
 * to the identity. A 3-layer, wider projector, as the paper (scaled from 8192 to 512).
 */
public final class BarlowTwins extends TwoViewMethod {

    /** Barlow Twins' options; defaults are the loss's (the paper's). */
    public static final class Options implements MethodOptions {
        @Option(names = "--lambda", description = "Off-diagonal weight λ (default"
                + " ${DEFAULT-VALUE}).")
        public double lambda = BarlowTwinsLoss.builder().build().lambda();

        @Override
        public void validate() {
            Check.nonNegative("--lambda", lambda);
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("barlow-twins",
            "Barlow Twins: redundancy reduction", Options.class, Options::new, s -> {
                s.projectionLayers = 3;
                s.projectionDim = 512;
            }, BarlowTwins::new);

    private BarlowTwins(SslSetup setup, Options o) {
        super(setup, BarlowTwinsLoss.builder().optLambda(o.lambda).optName("barlow-twins")
                .build(), 1);
    }
}
