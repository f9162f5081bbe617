package io.github.selfsup4j.supervised;

import io.github.selfsup4j.loss.metric.MultiSimilarityLoss;
import io.github.selfsup4j.metric.CosineSimilarity;
import io.github.selfsup4j.metric.Miners;
import io.github.selfsup4j.metric.MultiSimilarityMiner;
import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.MethodOptions;
import picocli.CommandLine.Option;

/**
 * Multi-similarity loss (Wang et al. 2019) on cosine similarities, with the multi-similarity
 * miner (ε 0.1) by default, as in the paper.
 */
public final class MultiSimilarity {

    /** The multi-similarity method's options (defaults: the paper's and the loss's). */
    public static final class Options implements MethodOptions {
        @Option(names = "--miner", description = "Pair miner: multi-similarity (default),"
                + " all, batch-hard, semi-hard or hard.")
        public String miner = MultiSimilarityMiner.NAME;

        @Option(names = "--alpha", description = "Weight of positive pairs α (default"
                + " ${DEFAULT-VALUE}).")
        public double alpha = 2;

        @Option(names = "--beta", description = "Weight of negative pairs β (default"
                + " ${DEFAULT-VALUE}).")
        public double beta = 50;

        @Option(names = "--base", description = "Similarity offset λ (default"
                + " ${DEFAULT-VALUE}).")
        public double base = 0.5;

        @Override
        public void validate() {
            Check.require(Miners.NAMES.contains(miner), "--miner", miner,
                    "must be one of " + String.join(", ", Miners.NAMES));
            Check.positive("--alpha", alpha);
            Check.positive("--beta", beta);
            Check.require(Double.isFinite(base), "--base", base, "must be finite");
        }
    }

    /** The registration. */
    public static final MetricSpec<Options> SPEC = new MetricSpec<>("multi-similarity",
            "multi-similarity loss with its miner (supervised)", Options.class, Options::new,
            s -> {}, MultiSimilarity::create);

    private MultiSimilarity() {}

    private static MetricMethod create(MetricSetup setup, Options o) {
        CosineSimilarity c = new CosineSimilarity();
        return new MetricMethod("multi-similarity", setup, MultiSimilarityLoss.builder()
                .optAlpha(o.alpha).optBeta(o.beta).optBase(o.base).optDistance(c)
                .optMiner(Miners.create("--miner", o.miner, c, 0.2,
                        MultiSimilarityMiner.DEFAULT_EPSILON)).build());
    }
}
