package io.github.selfsup4j.loss.metric;

import io.github.selfsup4j.metric.Distance;
import io.github.selfsup4j.metric.EuclideanDistance;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.metric.Reduction;
import io.github.selfsup4j.metric.TripletMarginMiner;
import java.util.Objects;

/**
 * The options of the labelled form that the pair and triplet losses share: distance, miner and
 * reduction, as builder setters.
 *
 * @param <B> the concrete builder
 */
public abstract class LabeledOptions<B extends LabeledOptions<B>> {
    Distance distance = new EuclideanDistance(true);
    Miner miner;
    Reduction reduction = Reduction.MEAN_NONZERO;

    /**
     * The distance of the labelled form (default Euclidean on L2-normalised embeddings, PML's
     * default). The default miner compares with it too.
     */
    public B optDistance(Distance distance) {
        this.distance = Objects.requireNonNull(distance, "distance");
        return self();
    }

    /** The miner of the labelled form (default {@code all}: every valid tuple). */
    public B optMiner(Miner miner) {
        this.miner = miner;
        return self();
    }

    /** The reduction of the labelled form (default {@code mean-nonzero}). */
    public B optReduction(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
        return self();
    }

    /** The miner to use: the one set, or {@code all} on the loss's distance. */
    Miner miner() {
        return miner != null ? miner : new TripletMarginMiner(distance,
                TripletMarginMiner.Type.ALL, TripletMarginMiner.DEFAULT_MARGIN);
    }

    /** This builder. */
    protected abstract B self();
}
