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
import io.github.selfsup4j.metric.Pairs;
import io.github.selfsup4j.metric.Reduction;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * The pairwise contrastive (margin) loss of Hadsell, Chopra and LeCun (CVPR 2006).
 *
 * <p>Inputs {@code x1}, {@code x2} (N×D) and the integer {@code label} (N; 1 for a similar pair,
 * 0 for a dissimilar one). With \(d_n = \lVert x_{1,n} - x_{2,n}\rVert_2\):
 *
 * <p>\( L = \frac{1}{N}\sum_n \left[ y_n d_n^2 + (1 - y_n)\max(0, m - d_n)^2 \right] \)
 *
 * <p>Default {@code margin} m = 1.0. The similar term uses \(d^2\) directly; the distance in the
 * dissimilar term is clamped below at 1e-12, so the gradient stays finite when {@code x1 == x2}.
 * In DJL's convention {@code predictions = [x1, x2]} and {@code labels = [label]}.
 *
 * <p><b>Labelled form</b> (PML's {@code ContrastiveLoss}): inputs {@code embeddings} (N×D) and
 * integer {@code labels} (N). A {@link Miner} picks positive pairs (a, p) and negative pairs (a,
 * n) (default {@code all}: every pair; a triplet miner gives (a, p) and (a, n) per triplet); with
 * the {@link Distance} d (default Euclidean on L2-normalised embeddings):
 *
 * <p>\( \ell^+ = \max(0, d_{ap} - m^+),\quad \ell^- = \max(0, m^- - d_{an}) \) (for a similarity
 * s: \(\max(0, m^+ - s_{ap})\) and \(\max(0, s_{an} - m^-)\)), not squared (PML's; the
 * tuple form above is Hadsell's squared loss). The positive and negative terms are reduced
 * separately by the {@link Reduction} (default {@code mean-nonzero}) and added, as PML's
 * {@code MultipleReducers}; they are the components {@code pos_loss} and {@code neg_loss}.
 * Defaults {@code pos_margin} 0, {@code neg_margin} 1 (PML's, for a distance). Unlike PML, a
 * batch with a single pair of each kind is not treated as empty. The batch must hold two classes
 * and a positive pair. In DJL's convention {@code predictions = [embeddings]}, {@code labels =
 * [labels]}.
 */
public final class ContrastiveLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "contrastive";

    private final double margin;
    private final double posMargin;
    private final double negMargin;
    private final Distance distance;
    private final Miner miner;
    private final Reduction reduction;

    private ContrastiveLoss(Builder b) {
        super(b.name);
        this.margin = Checks.positive(NAME, "margin", b.margin);
        if (!Double.isFinite(b.posMargin) || !Double.isFinite(b.negMargin)) {
            throw new IllegalArgumentException(NAME + ": pos_margin and neg_margin must be finite,"
                    + " got " + b.posMargin + " and " + b.negMargin);
        }
        this.posMargin = b.posMargin;
        this.negMargin = b.negMargin;
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
        return LabeledForm.inputs(InputSpec.prediction("x1"), InputSpec.prediction("x2"),
                InputSpec.integerLabel("label"));
    }

    @Override
    public String signature() {
        return LabeledForm.signature("x1", "x2", "label");
    }

    /** {@inheritDoc} One prediction and one label are the labelled form. */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        Map<String, NDArray> in = LabeledForm.fromDjl(labels, predictions);
        return in != null ? forward(in).value() : super.evaluate(labels, predictions);
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        if (LabeledForm.labeled(NAME, in, "x1", "x2", "label")) {
            return labeled(in.get(LabeledForm.EMBEDDINGS), in.get(LabeledForm.LABELS));
        }
        NDArray a = Checks.floating(NAME, "x1", in.get("x1"), 2);
        NDArray b = Checks.floating(NAME, "x2", in.get("x2"), 2);
        Checks.sameShape(NAME, "x1", a, "x2", b);
        NDArray y = Checks.integer(NAME, "label", in.get("label"), 1);
        Checks.rows(NAME, "label", y, "x1", a.getShape().get(0));
        Checks.values(NAME, "label", y, 0, 1);
        DataType t = Ops.computeType(a, b);
        a = Ops.promote(a, t);
        b = Ops.promote(b, t);
        NDArray yf = y.toType(t, false);
        NDArray d2 = a.sub(b).square().sum(new int[] {1});
        NDArray d = Ops.euclidean(a, b);
        NDArray dissimilar = Ops.relu(d.neg().add(margin)).square();
        NDArray loss = yf.mul(d2).add(yf.neg().add(1.0).mul(dissimilar)).mean();
        return LossOutput.of(loss);
    }

    private LossOutput labeled(NDArray embeddings, NDArray labels) {
        NDArray e = LabeledBatch.embeddings(NAME, embeddings);
        long[] y = LabeledBatch.check(NAME, e, labels, true);
        NDArray mat = distance.matrix(e);
        Pairs pr = miner.minePairs(LabeledForm.minerMatrix(miner, distance, mat, e), y);
        NDArray pos = null;
        NDArray neg = null;
        // add(Number) is safe on a graph path: its backward keeps no scalar
        if (pr.positives().length > 0) {
            NDArray v = LabeledForm.entries(mat, pr.positiveAnchors(), pr.positives());
            pos = Ops.relu(distance.isInverted() ? v.neg().add(posMargin) : v.sub(posMargin));
        }
        if (pr.negatives().length > 0) {
            NDArray v = LabeledForm.entries(mat, pr.negativeAnchors(), pr.negatives());
            neg = Ops.relu(distance.isInverted() ? v.sub(negMargin) : v.neg().add(negMargin));
        }
        NDArray posLoss = reduction.reduce(pos, LabeledForm.zero(e));
        NDArray negLoss = reduction.reduce(neg, LabeledForm.zero(e));
        return LossOutput.of(posLoss.add(negLoss), "pos_loss", posLoss, "neg_loss", negLoss);
    }

    /** Builds a {@link ContrastiveLoss}. */
    public static final class Builder extends LabeledOptions<Builder> {
        private String name = NAME;
        private double margin = 1.0;
        private double posMargin = 0.0;
        private double negMargin = 1.0;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** The positive margin m⁺ of the labelled form (default 0). */
        public Builder optPosMargin(double posMargin) {
            this.posMargin = posMargin;
            return this;
        }

        /** The negative margin m⁻ of the labelled form (default 1). */
        public Builder optNegMargin(double negMargin) {
            this.negMargin = negMargin;
            return this;
        }


        /** The margin m > 0 of the tuple form (default 1.0). */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /** The name DJL reports the loss under (default "contrastive"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public ContrastiveLoss build() {
            return new ContrastiveLoss(this);
        }
    }
}
