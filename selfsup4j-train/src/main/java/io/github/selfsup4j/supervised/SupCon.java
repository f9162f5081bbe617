package io.github.selfsup4j.supervised;

import io.github.selfsup4j.loss.contrastive.SupConLoss;
import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.MethodOptions;
import picocli.CommandLine.Option;

/**
 * Supervised contrastive learning (Khosla et al. 2020): for each anchor, minus the mean over its
 * positives of the log-softmax of cosine similarities over all other samples of the batch.
 * One view per image here (the P×K batch provides the positives).
 */
public final class SupCon {

    /** SupCon's options. */
    public static final class Options implements MethodOptions {
        @Option(names = "--temperature", description = "SupCon temperature τ (default"
                + " ${DEFAULT-VALUE}).")
        public double temperature = 0.1;

        @Override
        public void validate() {
            Check.positive("--temperature", temperature);
        }
    }

    /** The registration. */
    public static final MetricSpec<Options> SPEC = new MetricSpec<>("supcon",
            "supervised contrastive loss (SupCon) over the P×K batch", Options.class,
            Options::new, s -> {}, SupCon::create);

    private SupCon() {}

    private static MetricMethod create(MetricSetup setup, Options o) {
        return new MetricMethod("supcon", setup, SupConLoss.builder()
                .optTemperature(o.temperature).build());
    }
}
