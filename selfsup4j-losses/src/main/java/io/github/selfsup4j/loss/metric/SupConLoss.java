package io.github.selfsup4j.loss.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.metric.LabeledBatch;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * The supervised contrastive loss (Khosla et al. 2020, "Supervised Contrastive Learning",
 * \(\mathcal{L}^{sup}_{out}\)), as PML's {@code SupConLoss}.
 *
 * <p>Inputs {@code embeddings} (N×D, L2-normalised inside) and integer {@code labels} (N). With
 * \(z\) the normalised rows, \(P(i)\) the other samples sharing i's label and \(A(i)\) all samples
 * but i:
 *
 * <p>\( \ell_i = -\frac{1}{|P(i)|}\sum_{p \in P(i)} \log \frac{\exp(z_i^\top z_p/\tau)}{\sum_{a
 * \in A(i)} \exp(z_i^\top z_a/\tau)},\qquad L = \frac{1}{|I|}\sum_{i \in I} \ell_i \)
 *
 * <p>where I holds the anchors with at least one positive (the others are left out; PML drops them
 * through its {@code AvgNonZeroReducer}, which would also drop an anchor whose loss is exactly 0,
 * possible only when it has one other sample in all). Default {@code temperature} 0.1 (PML's).
 * The authors' code also multiplies by τ/0.07; PML does not, nor does this class. With one label
 * per sample and its two views in the batch, this is NT-Xent with the same temperature (tested).
 * A batch of one class is valid (every other sample is a positive); a batch without any positive
 * pair is rejected. Dense: the N×N similarity matrix is built (no tiled implementation yet).
 * Max-shifted log-sum-exp: stable at small temperatures. In DJL's convention {@code predictions =
 * [embeddings]}, {@code labels = [labels]}.
 */
public final class SupConLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "supcon";

    private final double temperature;

    private SupConLoss(Builder b) {
        super(b.name);
        this.temperature = Checks.positive(NAME, "temperature", b.temperature);
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
        NDArray e = Checks.floating(NAME, "embeddings", in.get("embeddings"), 2);
        e = Ops.promote(e, Ops.computeType(e));
        long[] y = LabeledBatch.check(NAME, e, in.get("labels"), false);
        int n = y.length;
        NDManager m = e.getManager();
        NDArray z = Ops.l2Normalize(e);
        NDArray logits = Ops.divide(z.matMul(z.transpose()), temperature);
        // the anchor itself is not in A(i)
        NDArray self = Ops.scale(m.eye(n).toType(e.getDataType(), false), Ops.MASKED);
        NDArray logProb = logits.sub(Ops.logSumExp(logits.add(self), 1, true));
        // weight of log p(i, p): 1 / (|P(i)| · |I|) for each positive p of anchor i
        int[] positives = new int[n];
        int anchors = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                positives[i] += i != j && y[i] == y[j] ? 1 : 0;
            }
            anchors += positives[i] > 0 ? 1 : 0;
        }
        double[] w = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && y[i] == y[j]) {
                    w[i * n + j] = 1.0 / ((double) positives[i] * anchors);
                }
            }
        }
        NDArray weights = m.create(w, new Shape(n, n)).toType(e.getDataType(), false);
        return LossOutput.of(logProb.mul(weights).sum().neg());
    }

    /** Builds a {@link SupConLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double temperature = 0.1;

        private Builder() {}

        /** The temperature τ > 0 (default 0.1). */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** The name DJL reports the loss under (default "supcon"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public SupConLoss build() {
            return new SupConLoss(this);
        }
    }
}
