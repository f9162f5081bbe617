package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * InfoNCE as in MoCo (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation
 * Learning"; van den Oord et al. 2018 for InfoNCE).
 *
 * <p>Inputs: {@code query} \(q\) (N×D), {@code key} \(k\) (N×D) and optionally {@code queue}
 * (K×D). With {@code normalize} (default true) all three are L2 normalised, so similarities are
 * cosines. With a queue, each query is classified against its own key (index 0) and the K queued
 * keys:
 *
 * <p>\( \ell_n = -\log \frac{\exp(q_n^\top k_n/\tau)}{\exp(q_n^\top k_n/\tau) + \sum_{j=1}^{K}
 * \exp(q_n^\top u_j/\tau)}, \quad L = \frac{1}{N}\sum_n \ell_n \)
 *
 * <p>Without a queue, the other keys of the batch are the negatives (logits \(q k^\top/\tau\),
 * targets on the diagonal), as in MoCo v3 and CPC. Default {@code temperature} 0.07; {@code
 * impl}, {@code tile_size} and {@code memory_budget_mb} as in {@link NtXentLoss}.
 *
 * <p>In MoCo the key and queue come from the momentum encoder and carry no gradient; this
 * function does not detach them, so when called with arrays that require gradients it returns the
 * full mathematical gradient. With an attached {@link NegativeQueue} ({@link
 * Builder#optQueue}), {@link #evaluate} takes the queue's negatives, computes the loss and stages
 * the batch's keys; {@link NegativeQueue#commit()}, called once after the optimiser step,
 * enqueues them. Evaluating the loss twice in a step (DJL's {@code Trainer} does, for its
 * accumulator) therefore enqueues once, and a batch is never its own negative.
 */
public final class InfoNceLoss extends SelfSupLoss {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "info-nce";

    private final double temperature;
    private final boolean normalize;
    private final NegativeQueue queue;
    private final Tiling tiling;

    private InfoNceLoss(Builder b) {
        super(b.name);
        this.temperature = Checks.positive(NAME, "temperature", b.temperature);
        this.normalize = b.normalize;
        this.queue = b.queue;
        this.tiling = b.tiling(NAME);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The temperature τ. */
    public double temperature() {
        return temperature;
    }

    /** Whether inputs are L2 normalised. */
    public boolean normalize() {
        return normalize;
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(
                InputSpec.prediction("query"),
                InputSpec.prediction("key"),
                InputSpec.optionalPrediction("queue"));
    }

    /**
     * Computes the loss; when no {@code queue} input is given and a {@link NegativeQueue} is
     * attached, uses the queue's current negatives and then stages {@code key}: call {@link
     * NegativeQueue#commit()} once after the optimiser step to enqueue it.
     */
    @Override
    public LossOutput forward(Map<String, NDArray> in) {
        if (queue == null || in.get("queue") != null) {
            return super.forward(in);
        }
        NDArray key = in.get("key");
        Map<String, NDArray> withQueue = new LinkedHashMap<>(in);
        withQueue.put("queue", queue.negatives(key != null ? key.getManager() : null));
        LossOutput out = super.forward(withQueue);
        queue.stage(key);
        return out;
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray q = Checks.floating(NAME, "query", in.get("query"), 2);
        NDArray k = Checks.floating(NAME, "key", in.get("key"), 2);
        Checks.sameShape(NAME, "query", q, "key", k);
        NDArray u = in.get("queue");
        if (u != null) {
            Checks.floating(NAME, "queue", u, 2);
            Checks.columns(NAME, "queue", u, "query", q.getShape().get(1));
        }
        DataType t = Ops.computeType(q, k, u);
        q = prepare(q, t);
        k = prepare(k, t);
        long cols = q.getShape().get(0) + (u == null ? 0 : u.getShape().get(0));
        if (tiling.tiles(q.getShape().get(0), cols, t.getNumOfBytes())) {
            return LossOutput.of(tiled(q, k, u == null ? null : prepare(u, t)));
        }
        if (u == null) {
            NDArray logits = Ops.divide(q.matMul(k.transpose()), temperature);
            NDArray pos = Ops.divide(Ops.rowDot(q, k), temperature);
            return LossOutput.of(Ops.logSumExp(logits, 1, false).sub(pos).mean());
        }
        u = prepare(u, t);
        NDArray pos = Ops.divide(Ops.rowDot(q, k), temperature).expandDims(1);
        NDArray neg = Ops.divide(q.matMul(u.transpose()), temperature);
        NDArray logits = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(pos, neg), 1);
        return LossOutput.of(Ops.logSumExp(logits, 1, false).sub(pos.squeeze(1)).mean());
    }

    /**
     * The tiled loss. With a queue the columns are [keys, queue] and a query keeps only its own
     * key among the keys, so key tiles off the diagonal band are skipped entirely.
     */
    private NDArray tiled(NDArray q, NDArray k, NDArray u) {
        int n = (int) q.getShape().get(0);
        NDArray qd = q.stopGradient();
        NDArray kd = k.stopGradient();
        NDArray cols = u == null ? kd : Ops.rows(kd, u.stopGradient());
        NDArray pos = Ops.divide(Ops.rowDot(qd, kd), temperature);
        TiledSoftmax.Mask mask = u == null
                ? (mgr, r0, r1, c0, c1, type) -> null
                : new TiledSoftmax.Mask() {
                    @Override
                    public NDArray tile(ai.djl.ndarray.NDManager mgr, int r0, int r1, int c0,
                            int c1, DataType type) {
                        if (c0 >= n) {
                            return null;
                        }
                        return Ops.additiveMask(mgr, r1 - r0, c1 - c0, type,
                                (a, c) -> c0 + c >= n || c0 + c == r0 + a);
                    }

                    @Override
                    public boolean empty(int r0, int r1, int c0, int c1) {
                        return c1 <= n && (c1 <= r0 || c0 >= r1);
                    }
                };
        TiledSoftmax.Result res = TiledSoftmax.compute(qd, cols, pos, mask, temperature,
                tiling.tileSize(), false, normalize, qd.getManager());
        double s = 1.0 / (n * temperature);
        NDArray gq = res.gradRows().sub(Ops.scale(kd, s));
        NDArray gCols = res.gradCols();
        NDArray gk = Ops.slice(gCols, 0, n).sub(Ops.scale(qd, s));
        if (u == null) {
            return TiledSoftmax.surrogate(res.loss(), q, gq, k, gk);
        }
        return TiledSoftmax.surrogate(res.loss(), q, gq, k, gk, u,
                Ops.slice(gCols, n, gCols.getShape().get(0)));
    }

    private NDArray prepare(NDArray x, DataType t) {
        x = Ops.promote(x, t);
        return normalize ? Ops.l2Normalize(x) : x;
    }

    /** Builds an {@link InfoNceLoss}. */
    public static final class Builder extends Tiling.Builder<Builder> {
        private String name = NAME;
        private double temperature = 0.07;
        private boolean normalize = true;
        private NegativeQueue queue;

        private Builder() {}

        /** The temperature τ (default 0.07). */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Whether to L2-normalise query, key and queue (default true). */
        public Builder optNormalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** A queue of negatives used when no {@code queue} input is given (default none). */
        public Builder optQueue(NegativeQueue queue) {
            this.queue = queue;
            return this;
        }

        /** The name DJL reports the loss under (default "info-nce"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Checks the options and builds the loss. */
        public InfoNceLoss build() {
            return new InfoNceLoss(this);
        }
    }
}
