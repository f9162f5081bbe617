package io.github.selfsup4j.supervised;

import io.github.selfsup4j.loss.metric.ContrastiveLoss;
import io.github.selfsup4j.metric.EuclideanDistance;
import io.github.selfsup4j.metric.Miners;
import io.github.selfsup4j.metric.MultiSimilarityMiner;
import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.MethodOptions;
import picocli.CommandLine.Option;

/**
 * The pairwise contrastive loss (Hadsell et al. 2006, PML's form): Euclidean distance on
 * normalised embeddings, {@code max(0, d - pos_margin)} for positive pairs and {@code
 * max(0, margin - d)} for negative pairs, averaged over the non-zero terms; pairs from the
 * miner (default all pairs of the batch).
 */
public final class Contrastive {

    /** The contrastive method's options. */
    public static final class Options implements MethodOptions {
        @Option(names = "--miner", description = "Pair miner: all (default), batch-hard,"
                + " semi-hard, hard or multi-similarity.")
        public String miner = "all";

        @Option(names = "--margin", description = "Negative margin: negative pairs closer than"
                + " this are pushed apart (default ${DEFAULT-VALUE}).")
        public double margin = 1.0;

        @Option(names = "--pos-margin", description = "Positive margin: positive pairs farther"
                + " than this are pulled together (default ${DEFAULT-VALUE}).")
        public double posMargin = 0.0;

        @Override
        public void validate() {
            Check.require(Miners.NAMES.contains(miner), "--miner", miner, "must be one of "
                    + String.join(", ", Miners.NAMES));
            Check.positive("--margin", margin);
            Check.nonNegative("--pos-margin", posMargin);
            Check.require(posMargin < margin, "--pos-margin", posMargin,
                    "must be below --margin " + margin);
        }
    }

    /** The registration. */
    public static final MetricSpec<Options> SPEC = new MetricSpec<>("contrastive",
            "pairwise contrastive loss with in-batch pairs (supervised)", Options.class,
            Options::new, s -> {}, Contrastive::create);

    private Contrastive() {}

    private static MetricMethod create(MetricSetup setup, Options o) {
        EuclideanDistance d = new EuclideanDistance(true);
        return new MetricMethod("contrastive", setup, ContrastiveLoss.builder()
                .optPosMargin(o.posMargin).optNegMargin(o.margin).optDistance(d)
                .optMiner(Miners.create("--miner", o.miner, d, 0.2,
                        MultiSimilarityMiner.DEFAULT_EPSILON)).build());
    }
}
