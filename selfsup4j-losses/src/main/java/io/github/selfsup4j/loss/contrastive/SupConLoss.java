package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.metric.LabeledBatch;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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
 * pair is rejected. Max-shifted log-sum-exp: stable at small temperatures. In DJL's convention
 * {@code predictions = [embeddings]}, {@code labels = [labels]}.
 *
 * <p>Large batches: options {@code impl}, {@code tile_size}, {@code memory_budget_mb} as NT-Xent's
 * ({@link Tiling}). The tiled implementation streams the log-sum-exps with {@link TiledSoftmax}
 * (symmetric tiles when every sample has a positive; otherwise the anchors against all samples)
 * and needs no N×N matrix: the positive term \(rac{1}{|P(i)|}\sum_p z_i^	op z_p =
 * z_i^	op(S_{y_i} - z_i)/|P(i)|\) comes from per-class sums S of the normalised rows, and its
 * gradient in closed form, \(2(S_{y_i} - z_i)/(	au |P(i)|\,|I|)\) (every member of a class has
 * the same |P|). Values and gradients equal the dense ones (tested).
 */
public final class SupConLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "supcon";

    private final double temperature;
    private final Tiling tiling;

    private SupConLoss(Builder b) {
        super(b.name);
        this.temperature = Checks.positive(NAME, "temperature", b.temperature);
        this.tiling = b.tiling(NAME);
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
        long[] y = LabeledBatch.check(NAME, e, in.get("labels"), false);
        int n = y.length;
        if (tiling.tiles(n, n, e.getDataType().getNumOfBytes())) {
            return LossOutput.of(tiled(Ops.l2Normalize(e), y));
        }
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

    /** The tiled loss on the normalised rows z (with their graph). */
    private NDArray tiled(NDArray z, long[] y) {
        int n = y.length;
        int d = (int) z.getShape().get(1);
        DataType type = z.getDataType();
        NDArray zd = z.stopGradient();
        NDManager m = zd.getManager();
        double[] zv = zd.toType(DataType.FLOAT64, false).toDoubleArray();
        Map<Long, double[]> sums = new HashMap<>();
        Map<Long, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            double[] s = sums.computeIfAbsent(y[i], k -> new double[d]);
            for (int c = 0; c < d; c++) {
                s[c] += zv[i * d + c];
            }
            counts.merge(y[i], 1, Integer::sum);
        }
        int[] rows = IntStream.range(0, n).filter(i -> counts.get(y[i]) > 1).toArray();
        int anchors = rows.length;
        boolean all = anchors == n;
        double[] pos = new double[anchors];
        double[] posGrad = new double[n * d];
        double[] q = all ? null : new double[anchors * d];
        for (int a = 0; a < anchors; a++) {
            int i = rows[a];
            double[] s = sums.get(y[i]);
            int positives = counts.get(y[i]) - 1;
            double dot = 0;
            for (int c = 0; c < d; c++) {
                double other = s[c] - zv[i * d + c];
                dot += zv[i * d + c] * other;
                posGrad[i * d + c] = -2 * other / (temperature * positives * anchors);
                if (!all) {
                    q[a * d + c] = zv[i * d + c];
                }
            }
            pos[a] = dot / (temperature * positives);
        }
        NDArray queries = all ? zd : m.create(q, new Shape(anchors, d)).toType(type, false);
        NDArray positive = m.create(pos).toType(type, false);
        // anchor a (sample rows[a]) leaves out only itself, column rows[a]
        TiledSoftmax.Mask mask = (mgr, r0, r1, c0, c1, t) -> {
            if (rows[r1 - 1] < c0 || rows[r0] >= c1) {
                return null;
            }
            return Ops.additiveMask(mgr, r1 - r0, c1 - c0, t, (r, c) -> rows[r0 + r] != c0 + c);
        };
        TiledSoftmax.Result res = TiledSoftmax.compute(queries, zd, positive, mask, temperature,
                tiling.tileSize(), all, true, m);
        NDArray grad = m.create(posGrad, new Shape(n, d)).toType(type, false);
        if (all) {
            grad.addi(res.gradRows());
        } else {
            grad.addi(res.gradCols());
            double[] gr = res.gradRows().toType(DataType.FLOAT64, false).toDoubleArray();
            double[] extra = new double[n * d];
            for (int a = 0; a < anchors; a++) {
                System.arraycopy(gr, a * d, extra, rows[a] * d, d);
            }
            grad.addi(m.create(extra, new Shape(n, d)).toType(type, false));
            res.gradCols().close();
        }
        res.gradRows().close();
        positive.close();
        if (!all) {
            queries.close();
        }
        return TiledSoftmax.surrogate(res.loss(), z, grad);
    }

    /** Builds a {@link SupConLoss}. */
    public static final class Builder extends Tiling.Builder<Builder> {
        private String name = NAME;
        private double temperature = 0.1;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

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
