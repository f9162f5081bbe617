package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.distributed.Gatherable;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, "A Simple
 * Framework for Contrastive Learning of Visual Representations").
 *
 * <p>Inputs {@code z_i} and {@code z_j} ({@code M × D}, {@code M = N·P}) hold the two views;
 * row {@code s·P + p} holds pair {@code p} of sample {@code s}. The {@code 2M} rows are L2
 * normalised and stacked as \(Z\). Each row \(r\) is classified against its partner \(r^+\) (the
 * same row in the other view); the rows of the same sample (all its views, itself included) are
 * excluded from the negatives:
 *
 * <p>\( \ell_r = -\log \frac{\exp(z_r^\top z_{r^+}/\tau)}{\exp(z_r^\top z_{r^+}/\tau) +
 * \sum_{c:\,s(c)\neq s(r)} \exp(z_r^\top z_c/\tau)}, \quad L = \frac{1}{2M}\sum_r \ell_r \)
 *
 * <p>With {@code P = 1} this is exactly SimCLR's loss. Defaults: {@code temperature} 0.5, {@code
 * pairs_per_sample} 1, {@code impl} auto (tiles when the dense matrices would exceed {@code
 * memory_budget_mb}, 1024), {@code tile_size} 512 (measured: docs/BENCHMARKS.md). At least two
 * samples are needed so that every row has a negative. Computed with a max-shifted log-sum-exp
 * (dense) or bounded logits (tiled), stable down to temperatures of 0.01 and below. Across
 * processes use {@link io.github.selfsup4j.distributed.GatheredLoss}: each rank computes only its
 * own rows against the gathered batch, tiled under the same rule as the whole loss.
 */
public final class NtXentLoss extends SelfSupLoss implements Gatherable {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "nt-xent";

    private final double temperature;
    private final int pairsPerSample;
    private final Tiling tiling;

    private NtXentLoss(Builder b) {
        super(b.name);
        this.temperature = Checks.positive(NAME, "temperature", b.temperature);
        this.pairsPerSample = Checks.atLeast(NAME, "pairs_per_sample", b.pairsPerSample, 1);
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

    /** The number of augmented pairs per sample, P. */
    public int pairsPerSample() {
        return pairsPerSample;
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("z_i"), InputSpec.prediction("z_j"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray[] z = prepare(in);
        long m = z[0].getShape().get(0);
        if (tiling.tiles(2 * m, 2 * m, z[0].getDataType().getNumOfBytes())) {
            return LossOutput.of(tiled(z[0], z[1]));
        }
        return LossOutput.of(rowLosses(z[0], z[1], 0, m).mean());
    }

    /**
     * The tiled loss: same value and gradient as the dense one, memory linear in the batch. The
     * similarity matrix is symmetric, so only tiles on and above its diagonal are computed.
     */
    private NDArray tiled(NDArray zin, NDArray zjn) {
        int m = (int) zin.getShape().get(0);
        int p = pairsPerSample;
        NDArray z = Ops.rows(zin, zjn);
        NDArray zd = z.stopGradient();
        NDArray partner = Ops.rows(zd.get(m + ":"), zd.get("0:" + m));
        NDArray pos = Ops.divide(Ops.rowDot(zd, partner), temperature);
        // with one pair per sample the only masked entries are the diagonal's: one mask per
        // tile size, made once and shared by both passes (small batches are one tile, where
        // building masks per tile and pass cost as much as the products)
        java.util.Map<Integer, NDArray> selfMasks = new java.util.HashMap<>();
        NDManager owner = zd.getManager();
        TiledSoftmax.Mask mask = (mgr, r0, r1, c0, c1, type) -> {
            if (!sharesSamples(r0, r1, c0, c1, m, p)) {
                return null;
            }
            if (p == 1 && r0 == c0 && r1 == c1) {
                return selfMasks.computeIfAbsent(r1 - r0, size -> Ops.scale(
                        owner.eye(size).toType(type, false), Ops.MASKED));
            }
            int[] rows = new int[r1 - r0];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = r0 + i;
            }
            return mask(mgr, rows, c0, c1, m, type);
        };
        TiledSoftmax.Result res = TiledSoftmax.compute(zd, zd, pos, mask, temperature,
                tiling.tileSize(), true, true, zd.getManager());
        // the positive logit's gradient: −1/(2M·τ) for each side of the pair; in place, and
        // every 2M×D temporary freed once used, as each one counts at large batches
        NDArray grad = res.gradRows().subi(partner.muli(2.0 / (2.0 * m * temperature)));
        partner.close();
        pos.close();
        selfMasks.values().forEach(NDArray::close);
        return TiledSoftmax.surrogate(res.loss(), z, grad);
    }

    /**
     * Whether the block of rows [r0, r1) and columns [c0, c1) of the 2M×2M matrix has an entry
     * to remove: one of a row's own sample other than its partner. With one pair per sample
     * that is only the row itself (the partner stays), so only blocks on the diagonal qualify.
     */
    private static boolean sharesSamples(int r0, int r1, int c0, int c1, int m, int p) {
        if (p == 1) {
            return r0 < c1 && c0 < r1;
        }
        for (int[] a : sampleRanges(r0, r1, m, p)) {
            for (int[] b : sampleRanges(c0, c1, m, p)) {
                if (a[0] <= b[1] && b[0] <= a[1]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The sample indices of rows [a, b), as at most two closed intervals. */
    private static int[][] sampleRanges(int a, int b, int m, int p) {
        if (a < m && b > m) {
            return new int[][] {{a / p, (m - 1) / p}, {0, (b - 1 - m) / p}};
        }
        return new int[][] {{(a % m) / p, ((b - 1) % m) / p}};
    }

    @Override
    public NDArray shareOf(Map<String, NDArray> global, int rank, int worldSize) {
        NDArray[] z = prepare(global);
        long m = z[0].getShape().get(0);
        long local = m / worldSize;
        if (local * worldSize != m || local % pairsPerSample != 0) {
            throw new IllegalArgumentException(
                    NAME + ": each rank must hold whole samples (a multiple of pairs_per_sample="
                            + pairsPerSample + " rows), got " + local + " rows per rank");
        }
        long from = rank * local;
        long to = from + local;
        if (tiling.tiles(2 * local, 2 * m, z[0].getDataType().getNumOfBytes())) {
            return tiledShare(z[0], z[1], (int) from, (int) to);
        }
        return rowLosses(z[0], z[1], from, to).sum().div(Ops.scalar(z[0], 2.0 * m));
    }

    /**
     * A rank's share, tiled: its 2·local rows against all 2M rows, {@code (1/2M) Σ_r ℓ_r}, with
     * the gradient of both its own rows and every column (the other ranks' rows get theirs
     * through the all-reduce of {@link io.github.selfsup4j.distributed.GatheredLoss}).
     */
    private NDArray tiledShare(NDArray zin, NDArray zjn, int from, int to) {
        int m = (int) zin.getShape().get(0);
        int local = to - from;
        int p = pairsPerSample;
        NDArray z = Ops.rows(zin, zjn);
        NDArray zd = z.stopGradient();
        NDArray q = Ops.rows(Ops.slice(z, from, to), Ops.slice(z, m + from, m + to));
        NDArray qd = q.stopGradient();
        NDArray partner = Ops.rows(Ops.slice(zd, m + from, m + to), Ops.slice(zd, from, to));
        NDArray pos = Ops.divide(Ops.rowDot(qd, partner), temperature);
        int[] global = new int[2 * local];
        for (int a = 0; a < global.length; a++) {
            global[a] = a < local ? from + a : m + from + (a - local);
        }
        TiledSoftmax.Mask mask = (mgr, r0, r1, c0, c1, type) -> {
            int[] rows = java.util.Arrays.copyOfRange(global, r0, r1);
            // the tile's rows are at most two runs of consecutive global rows
            boolean shares = false;
            int start = 0;
            for (int a = 1; a <= rows.length && !shares; a++) {
                if (a == rows.length || rows[a] != rows[a - 1] + 1) {
                    shares = sharesSamples(rows[start], rows[a - 1] + 1, c0, c1, m, p);
                    start = a;
                }
            }
            return shares ? mask(mgr, rows, c0, c1, m, type) : null;
        };
        TiledSoftmax.Result res = TiledSoftmax.compute(qd, zd, pos, mask, temperature,
                tiling.tileSize(), false, true, zd.getManager());
        // the tiled mean is over this rank's 2·local rows; the share is over all 2M
        double f = (double) local / m;
        double s = 1.0 / (2.0 * m * temperature);
        NDArray gRows = res.gradRows().muli(f).subi(partner.muli(s));
        NDArray gCols = res.gradCols().muli(f);
        // the positive logit's gradient with respect to each partner row: −q_r/(2M·τ)
        Ops.slice(gCols, m + from, m + to).subi(Ops.slice(qd, 0, local).mul(s));
        Ops.slice(gCols, from, to).subi(Ops.slice(qd, local, 2 * local).mul(s));
        partner.close();
        pos.close();
        return TiledSoftmax.surrogate(res.loss() * f, q, gRows, z, gCols);
    }

    /** Validates the inputs and returns the normalised views in the compute dtype. */
    private NDArray[] prepare(Map<String, NDArray> in) {
        NDArray zi = Checks.floating(NAME, "z_i", in.get("z_i"), 2);
        NDArray zj = Checks.floating(NAME, "z_j", in.get("z_j"), 2);
        Checks.sameShape(NAME, "z_i", zi, "z_j", zj);
        long m = zi.getShape().get(0);
        if (m % pairsPerSample != 0) {
            throw new IllegalArgumentException(
                    NAME + ": z_i has " + m + " rows, not a multiple of pairs_per_sample="
                            + pairsPerSample);
        }
        if (m / pairsPerSample < 2) {
            throw new IllegalArgumentException(
                    NAME + ": needs at least 2 samples so that every row has a negative, got N="
                            + m / pairsPerSample + " (rows=" + m + ", pairs_per_sample="
                            + pairsPerSample + ")");
        }
        DataType t = Ops.computeType(zi, zj);
        return new NDArray[] {
            Ops.l2Normalize(Ops.promote(zi, t)), Ops.l2Normalize(Ops.promote(zj, t))
        };
    }

    /**
     * The per-row losses of rows {@code [from, to)} of both views (first view's rows, then the
     * second view's), against all {@code 2M} normalised rows.
     */
    NDArray rowLosses(NDArray zin, NDArray zjn, long from, long to) {
        int m = (int) zin.getShape().get(0);
        int local = (int) (to - from);
        NDArray all = Ops.rows(zin, zjn);
        NDArray qi = Ops.slice(zin, from, to);
        NDArray qj = Ops.slice(zjn, from, to);
        NDArray s = Ops.divide(Ops.rows(qi, qj).matMul(all.transpose()), temperature);
        NDArray pos = Ops.divide(Ops.rowDot(qi, qj), temperature);
        pos = Ops.rows(pos, pos);
        int[] rows = new int[2 * local];
        for (int a = 0; a < 2 * local; a++) {
            rows[a] = a < local ? (int) from + a : m + (int) from + (a - local);
        }
        NDArray mask = mask(zin.getManager(), rows, 0, 2 * m, m, s.getDataType());
        return Ops.logSumExp(s.add(mask), 1, false).sub(pos);
    }

    /**
     * The additive mask of global rows {@code rows} against columns [c0, c1) of the 2M×2M
     * matrix: a row keeps its partner and every row of other samples.
     */
    private NDArray mask(NDManager manager, int[] rows, int c0, int c1, int m,
            DataType type) {
        int p = pairsPerSample;
        int[] rowGroup = new int[rows.length];
        int[] partner = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            rowGroup[i] = (rows[i] % m) / p;
            partner[i] = (rows[i] + m) % (2 * m);
        }
        int[] colGroup = new int[c1 - c0];
        int[] colId = new int[c1 - c0];
        for (int c = c0; c < c1; c++) {
            colGroup[c - c0] = (c % m) / p;
            colId[c - c0] = c;
        }
        return Ops.groupMask(manager, rowGroup, colGroup, partner, colId, type);
    }

    /** Builds an {@link NtXentLoss}. */
    public static final class Builder extends Tiling.Builder<Builder> {
        private String name = NAME;
        private double temperature = 0.5;
        private int pairsPerSample = 1;

        private Builder() {}

        /** The temperature τ (default 0.5). */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** The number of augmented pairs per sample P (default 1). */
        public Builder optPairsPerSample(int pairsPerSample) {
            this.pairsPerSample = pairsPerSample;
            return this;
        }

        /** The name DJL reports the loss under (default "nt-xent"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Checks the options and builds the loss. */
        public NtXentLoss build() {
            return new NtXentLoss(this);
        }
    }
}
