package io.github.selfsup4j.loss.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.metric.Distance;
import io.github.selfsup4j.metric.LabeledBatch;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.metric.Reduction;
import io.github.selfsup4j.metric.Triplets;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * The triplet margin loss (Schroff et al. 2015; distance swap of Balntas et al. 2016), defined as
 * PyTorch's {@code TripletMarginLoss}.
 *
 * <p>Inputs {@code anchor}, {@code positive}, {@code negative} (N×D). With PyTorch's pairwise
 * distance \(d(x, y) = \lVert x - y + \epsilon\rVert_p\), ε = 1e-6:
 *
 * <p>\( L = \frac{1}{N}\sum_n \max\left(0,\; d(a_n, p_n) - d'(a_n, n_n) + m\right) \) where
 * \(d'(a, n) = \min(d(a, n), d(p, n))\) when {@code swap} is set and \(d(a, n)\) otherwise.
 *
 * <p>Defaults: {@code margin} 1.0, {@code p} 2, {@code swap} false. {@code p} must be ≥ 1 (a
 * norm). The ε shift keeps the gradient finite when anchor and positive coincide. In DJL's
 * convention {@code predictions = [anchor, positive, negative]}.
 *
 * <p><b>Labelled form</b> (PML's {@code TripletMarginLoss}): inputs {@code embeddings} (N×D) and
 * integer {@code labels} (N). A {@link Miner} picks triplets (a, p, n) of batch indices (default
 * {@code all}: every valid triplet); with the {@link Distance} d (default Euclidean on
 * L2-normalised embeddings, PML's default) each gives
 *
 * <p>\( \ell_t = \max(0,\; d_{ap} - d_{an} + m) \) (for a similarity s: \(s_{an} - s_{ap} + m\)),
 * with \(d_{an}\) replaced by the closer of \(d_{an}, d_{pn}\) under {@code swap}, and the
 * {@link Reduction} (default {@code mean-nonzero}, PML's {@code AvgNonZeroReducer}) averages them.
 * No mined triplet gives 0 with a zero gradient. {@code p} applies to the tuple form only; PML's
 * default margin is 0.05, this class keeps PyTorch's 1.0 for both forms. The batch must hold two
 * classes and a positive pair. In DJL's convention {@code predictions = [embeddings]}, {@code
 * labels = [labels]}.
 */
public final class TripletLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "triplet";

    /** PyTorch's pairwise-distance epsilon. */
    public static final double EPS = 1e-6;

    private final double margin;
    private final double p;
    private final boolean swap;
    private final Distance distance;
    private final Miner miner;
    private final Reduction reduction;

    private TripletLoss(Builder b) {
        super(b.name);
        this.margin = Checks.positive(NAME, "margin", b.margin);
        if (!Double.isFinite(b.p) || b.p < 1) {
            throw new IllegalArgumentException(
                    NAME + ": p must be a finite number >= 1 (a norm), got " + b.p);
        }
        this.p = b.p;
        this.swap = b.swap;
        this.distance = b.distance;
        this.miner = b.miner();
        this.reduction = b.reduction;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<InputSpec> inputs() {
        return LabeledForm.inputs(InputSpec.prediction("anchor"), InputSpec.prediction("positive"),
                InputSpec.prediction("negative"));
    }

    @Override
    public String signature() {
        return LabeledForm.signature("anchor", "positive", "negative");
    }

    /** {@inheritDoc} One prediction and one label are the labelled form. */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        Map<String, NDArray> in = LabeledForm.fromDjl(labels, predictions);
        return in != null ? forward(in).value() : super.evaluate(labels, predictions);
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        if (LabeledForm.labeled(NAME, in, "anchor", "positive", "negative")) {
            return LossOutput.of(labeled(in.get(LabeledForm.EMBEDDINGS),
                    in.get(LabeledForm.LABELS)));
        }
        NDArray a = Checks.floating(NAME, "anchor", in.get("anchor"), 2);
        NDArray pos = Checks.floating(NAME, "positive", in.get("positive"), 2);
        NDArray neg = Checks.floating(NAME, "negative", in.get("negative"), 2);
        Checks.sameShape(NAME, "anchor", a, "positive", pos);
        Checks.sameShape(NAME, "anchor", a, "negative", neg);
        DataType t = Ops.computeType(a, pos, neg);
        a = Ops.promote(a, t);
        pos = Ops.promote(pos, t);
        neg = Ops.promote(neg, t);
        NDArray dap = distance(a, pos);
        NDArray dan = distance(a, neg);
        if (swap) {
            dan = dan.minimum(distance(pos, neg));
        }
        return LossOutput.of(Ops.relu(dap.sub(dan).add(margin)).mean());
    }

    private NDArray labeled(NDArray embeddings, NDArray labels) {
        if (p != 2.0) {
            throw new IllegalArgumentException(NAME + ": p applies to the tuple form only (the"
                    + " labelled form compares with its distance), got p " + p);
        }
        NDArray e = LabeledBatch.embeddings(NAME, embeddings);
        long[] y = LabeledBatch.check(NAME, e, labels, true);
        NDArray mat = distance.matrix(e);
        Triplets t = miner.mineTriplets(LabeledForm.minerMatrix(miner, distance, mat, e), y);
        if (t.isEmpty()) {
            return LabeledForm.zero(e);
        }
        NDArray ap = LabeledForm.entries(mat, t.anchors(), t.positives());
        NDArray an = LabeledForm.entries(mat, t.anchors(), t.negatives());
        if (swap) {
            an = distance.closest(an, LabeledForm.entries(mat, t.positives(), t.negatives()));
        }
        // add(Number) is safe on a graph path: its backward keeps no scalar
        NDArray losses = Ops.relu(distance.margin(ap, an).add(margin));
        return reduction.reduce(losses, LabeledForm.zero(e));
    }

    /** PyTorch's {@code pairwise_distance(x, y, p, eps=1e-6)}. */
    NDArray distance(NDArray x, NDArray y) {
        NDArray v = x.sub(y).add(EPS); // add(Number) is safe: its backward keeps no scalar
        if (p == 2.0) {
            return Ops.atLeast(v.square().sum(new int[] {1}), 1e-30).sqrt();
        }
        if (p == 1.0) {
            return v.abs().sum(new int[] {1});
        }
        return Ops.power(Ops.atLeast(Ops.power(v.abs(), p).sum(new int[] {1}), 1e-30), 1.0 / p);
    }

    /** Builds a {@link TripletLoss}. */
    public static final class Builder extends LabeledOptions<Builder> {
        private String name = NAME;
        private double margin = 1.0;
        private double p = 2.0;
        private boolean swap;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }


        /** The margin m > 0 (default 1.0). */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** The norm degree p >= 1 (default 2). */
        public Builder optP(double p) {
            this.p = p;
            return this;
        }

        /** Whether to use the distance swap (default false). */
        public Builder optSwap(boolean swap) {
            this.swap = swap;
            return this;
        }

        /** The name DJL reports the loss under (default "triplet"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public TripletLoss build() {
            return new TripletLoss(this);
        }
    }
}
