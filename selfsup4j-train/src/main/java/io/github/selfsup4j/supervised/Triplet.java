package io.github.selfsup4j.supervised;

import io.github.selfsup4j.loss.metric.TripletLoss;
import io.github.selfsup4j.metric.EuclideanDistance;
import io.github.selfsup4j.metric.Miners;
import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.MethodOptions;
import picocli.CommandLine.Option;

/**
 * Triplet loss with in-batch mining (Schroff et al. 2015; Hermans et al. 2017): Euclidean
 * distance on normalised embeddings, {@code max(0, d_ap - d_an + margin)} over the mined
 * triplets, averaged over the non-zero ones. The default: every valid triplet of the batch
 * ("batch all", PML's default), margin 0.2. Batch-hard mining from random initialisation
 * collapsed here (the loss sat at the margin, d_ap = d_an, from the second epoch of the
 * default run), as Hermans et al. 2017 warn for the hard margin.
 */
public final class Triplet {

    /** The triplet method's options. */
    public static final class Options implements MethodOptions {
        @Option(names = "--miner", description = "Triplet miner: all (default: every valid"
                + " triplet), batch-hard, semi-hard or hard.")
        public String miner = "all";

        @Option(names = "--margin", description = "Triplet margin on normalised embeddings"
                + " (default ${DEFAULT-VALUE}; also the semi-hard miner's).")
        public double margin = 0.2;

        @Override
        public void validate() {
            Check.require(Miners.NAMES.contains(miner) && !miner.equals("multi-similarity"),
                    "--miner", miner, "must be all, batch-hard, semi-hard or hard");
            Check.positive("--margin", margin);
        }
    }

    /** The registration. */
    public static final MetricSpec<Options> SPEC = new MetricSpec<>("triplet",
            "triplet loss with in-batch mining (supervised; default of the metric methods)",
            Options.class, Options::new, s -> {}, Triplet::create);

    private Triplet() {}

    private static MetricMethod create(MetricSetup setup, Options o) {
        EuclideanDistance d = new EuclideanDistance(true);
        return new MetricMethod("triplet", setup, TripletLoss.builder().optMargin(o.margin)
                .optDistance(d).optMiner(Miners.create("--miner", o.miner, d, o.margin,
                        0.1)).build());
    }
}
