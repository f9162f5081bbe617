package io.github.selfsup4j.loss.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.metric.CosineSimilarity;
import io.github.selfsup4j.metric.Distance;
import io.github.selfsup4j.metric.LabeledBatch;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.metric.Pairs;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The multi-similarity loss (Wang et al. 2019, "Multi-Similarity Loss with General Pair Weighting
 * for Deep Metric Learning"), as PML's {@code MultiSimilarityLoss}.
 *
 * <p>Inputs {@code embeddings} (N×D) and integer {@code labels} (N). With the similarity s
 * (default cosine) and the positive pairs \(P_i\) and negative pairs \(N_i\) of anchor i (default:
 * all pairs; with a {@link Miner}, the mined ones, e.g. {@code multi-similarity}):
 *
 * <p>\( \ell_i = \frac{1}{\alpha}\log\Big[1 + \sum_{p \in P_i} e^{-\alpha (s_{ip} - \lambda)}\Big]
 * + \frac{1}{\beta}\log\Big[1 + \sum_{n \in N_i} e^{\beta (s_{in} - \lambda)}\Big],\qquad L =
 * \frac{1}{N}\sum_i \ell_i \)
 *
 * <p>(for a distance d the signs flip: \(e^{\alpha(d_{ip} - \lambda)}\), \(e^{-\beta(d_{in} -
 * \lambda)}\)). An anchor without pairs contributes 0 and still counts in the mean (PML's {@code
 * MeanReducer}). Defaults {@code alpha} 2, {@code beta} 50, {@code base} λ 0.5 (PML's). Computed
 * as max-shifted log-sum-exps with the 1 as an extra zero logit. In DJL's convention {@code
 * predictions = [embeddings]}, {@code labels = [labels]}.
 */
public final class MultiSimilarityLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "multi-similarity";

    private final double alpha;
    private final double beta;
    private final double base;
    private final Distance distance;
    private final Miner miner;

    private MultiSimilarityLoss(Builder b) {
        super(b.name);
        this.alpha = Checks.positive(NAME, "alpha", b.alpha);
        this.beta = Checks.positive(NAME, "beta", b.beta);
        if (!Double.isFinite(b.base)) {
            throw new IllegalArgumentException(NAME + ": base must be finite, got " + b.base);
        }
        this.base = b.base;
        this.distance = b.distance;
        this.miner = b.miner;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("embeddings"), InputSpec.integerLabel("labels"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray e = LabeledBatch.embeddings(NAME, in.get("embeddings"));
        long[] y = LabeledBatch.check(NAME, e, in.get("labels"), true);
        int n = y.length;
        NDArray mat = distance.matrix(e);
        Pairs pr = miner == null ? Pairs.all(y)
                : miner.minePairs(LabeledForm.minerMatrix(miner, distance, mat, e), y);
        // PML's margin(mat, base) and margin(base, mat): base − s and s − base for a similarity
        NDArray posExp = distance.isInverted() ? mat.neg().add(base) : mat.sub(base);
        NDArray negExp = distance.isInverted() ? mat.sub(base) : mat.neg().add(base);
        NDArray pos = softplusSum(Ops.scale(posExp, alpha),
                mask(e.getManager(), n, pr.positiveAnchors(), pr.positives(), e), alpha);
        NDArray neg = softplusSum(Ops.scale(negExp, beta),
                mask(e.getManager(), n, pr.negativeAnchors(), pr.negatives(), e), beta);
        return LossOutput.of(pos.add(neg).mean());
    }

    /** Row-wise (1/k)·log(1 + Σ_kept exp(x)), 0 for a row with nothing kept. */
    private static NDArray softplusSum(NDArray x, NDArray additiveMask, double k) {
        NDArray masked = x.add(additiveMask);
        long n = x.getShape().get(0);
        NDArray one = x.getManager().zeros(new Shape(n, 1), x.getDataType());
        NDArray withOne = NDArrays.concat(new NDList(masked, one), 1);
        return Ops.divide(Ops.logSumExp(withOne, 1, false), k);
    }

    /** 0 at the (anchor, partner) entries, {@link Ops#MASKED} elsewhere. */
    private static NDArray mask(NDManager m, int n, int[] anchors, int[] partners, NDArray like) {
        double[] v = new double[n * n];
        java.util.Arrays.fill(v, Ops.MASKED);
        for (int t = 0; t < anchors.length; t++) {
            v[anchors[t] * n + partners[t]] = 0;
        }
        return m.create(v, new Shape(n, n)).toType(like.getDataType(), false);
    }

    /** Builds a {@link MultiSimilarityLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double alpha = 2;
        private double beta = 50;
        private double base = 0.5;
        private Distance distance = new CosineSimilarity();
        private Miner miner;

        private Builder() {}

        /** The weight α > 0 of the positive pairs (default 2). */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** The weight β > 0 of the negative pairs (default 50). */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /** The shift λ (default 0.5). */
        public Builder optBase(double base) {
            this.base = base;
            return this;
        }

        /** The similarity or distance (default cosine similarity). */
        public Builder optDistance(Distance distance) {
            this.distance = Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The miner (default none: all pairs). */
        public Builder optMiner(Miner miner) {
            this.miner = miner;
            return this;
        }

        /** The name DJL reports the loss under (default "multi-similarity"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public MultiSimilarityLoss build() {
            return new MultiSimilarityLoss(this);
        }
    }
}
