package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.numerics.Ops;

/**
 * Tiled softmax cross-entropy over similarity logits, with the exact gradient and memory linear
 * in the batch (Inf-CL: Wang et al. 2024, "Breaking the Memory Barrier of Contrastive Loss via
 * Tile-Based Strategy"). No N×N matrix exists at any time: the forward pass streams over tiles of
 * the logits keeping each row's running maximum and sum; the backward pass recomputes each tile's
 * probabilities from the saved log-sum-exp and accumulates the gradient of the (normalised)
 * embeddings. The caller turns that gradient into a graph with {@link #surrogate}.
 *
 * <p>All work happens on detached arrays inside per-tile sub-managers, so peak memory is the
 * embeddings, their gradient and a few tile×tile blocks.
 */
final class TiledSoftmax {

    private TiledSoftmax() {}

    /** Which logits take part: masked entries are left out of a row's softmax. */
    interface Mask {
        /**
         * The additive mask of tile rows [r0, r1) × columns [c0, c1), or null when every entry
         * of the tile takes part (the common case, which costs nothing).
         */
        NDArray tile(NDManager m, int r0, int r1, int c0, int c1, DataType type);

        /** Whether the whole tile is masked (it is then skipped). */
        default boolean empty(int r0, int r1, int c0, int c1) {
            return false;
        }
    }

    /** The loss value and the gradients with respect to the rows and columns. */
    record Result(double loss, NDArray gradRows, NDArray gradCols) {}

    /**
     * Mean over rows of {@code logsumexp_c(q_r·k_c/τ + mask) − q_r·k_{pos(r)}/τ}, and its
     * gradient, for queries {@code q} (N×D) and keys {@code k} (K×D).
     *
     * @param q detached queries
     * @param k detached keys (may be the same array as {@code q}: see {@code symmetric})
     * @param positive row r's positive logit (N), already divided by τ; its gradient (−1/N ·
     *     k_pos/τ for rows, −1/N · q_r/τ for the positive columns) is left to the caller
     * @param mask which logits take part
     * @param tau temperature
     * @param tile tile size
     * @param symmetric whether q == k and the mask is symmetric: then only tiles on and above the
     *     diagonal are computed, each serving both of its row blocks
     * @param unit whether the rows of q and k are unit vectors (normalised), so that every logit
     *     lies in [−1/τ, 1/τ]: then, where that range fits the dtype, the sums need no running
     *     maximum (see {@link #computeUnit})
     * @param out the manager that owns the results
     */
    static Result compute(NDArray q, NDArray k, NDArray positive, Mask mask, double tau,
            int tile, boolean symmetric, boolean unit, NDManager out) {
        if (unit && 1.0 / tau <= unshiftedLimit(q.getDataType())) {
            return computeUnit(q, k, positive, mask, tau, tile, symmetric, out);
        }
        int n = (int) q.getShape().get(0);
        int kc = (int) k.getShape().get(0);
        long d = q.getShape().get(1);
        DataType type = q.getDataType();
        // pass 1: per-row log-sum-exp, streamed
        double[] max = new double[n];
        double[] sum = new double[n];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        forEachTile(n, kc, tile, symmetric, mask, out, (r0, r1, c0, c1, diagonal, t) -> {
            NDArray s = logits(q, k, r0, r1, c0, c1, tau, mask, t, type);
            accumulate(s, r0, max, sum);
            if (symmetric && !diagonal) {
                accumulate(s.transpose(), c0, max, sum);
            }
        });
        double[] lse = new double[n];
        double total = 0;
        double[] posD = positive.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int r = 0; r < n; r++) {
            lse[r] = max[r] + Math.log(sum[r]);
            total += lse[r] - posD[r];
        }
        double loss = total / n;
        // pass 2: gradient. dL/dS_rc = P_rc / N for kept logits (the positive's −1/N is added
        // by the caller); dS/dq_r = k_c/τ, dS/dk_c = q_r/τ.
        NDArray lseArr = out.create(lse).toType(type, false);
        // one gradient array per side, each tile adding into a view of its rows (no per-tile
        // blocks to concatenate: at large batches every extra N×D copy counts)
        NDArray gradRows = out.zeros(new Shape(n, d), type);
        NDArray gradCols = symmetric ? null : out.zeros(new Shape(kc, d), type);
        double scale = 1.0 / (n * tau);
        forEachTile(n, kc, tile, symmetric, mask, out, (r0, r1, c0, c1, diagonal, t) -> {
            NDArray s = logits(q, k, r0, r1, c0, c1, tau, mask, t, type);
            NDArray lr = slice(lseArr, r0, r1, t).expandDims(1);
            NDArray p = s.sub(lr).exp();
            NDArray kTile = slice(k, c0, c1, t);
            NDArray qTile = slice(q, r0, r1, t);
            if (!symmetric) {
                slice(gradRows, r0, r1, t).addi(p.matMul(kTile).muli(scale));
                slice(gradCols, c0, c1, t).addi(p.transpose().matMul(qTile).muli(scale));
                return;
            }
            // symmetric: the tile (i, j) also stands for (j, i) = its transpose, with
            // the column rows' own log-sum-exp
            NDArray b = p;
            if (!diagonal) {
                NDArray lc = slice(lseArr, c0, c1, t).expandDims(0);
                b = p.add(s.sub(lc).exp());
            } else {
                b = p.add(p.transpose());
            }
            // G = (A + Aᵀ) Z: rows of block i get B Z_j, rows of block j get Bᵀ Z_i
            slice(gradRows, r0, r1, t).addi(b.matMul(kTile).muli(scale));
            if (!diagonal) {
                slice(gradRows, c0, c1, t).addi(b.transpose().matMul(qTile).muli(scale));
            }
        });
        lseArr.close();
        return new Result(loss, gradRows, gradCols);
    }

    /**
     * The largest 1/τ for which exp of logits in [−1/τ, 1/τ] needs no shift in {@code type}: every
     * term and every row sum (up to 2<sup>20</sup> columns) stays finite and above the smallest
     * normal number, so the sums are exact to the dtype's precision.
     */
    static double unshiftedLimit(DataType type) {
        return type == DataType.FLOAT64 ? 300 : 40;
    }

    /**
     * The tiled loss for unit rows. Logits are bounded by 1/τ, so {@code exp} is taken without a
     * shift and a tile's row and column sums are both read off one {@code exp} (no maxima, no
     * transposed reductions); the backward pass scales each recomputed tile once by
     * {@code a_r + a_c} (symmetric) or {@code a_r} (a_r = 1/(N·τ·Σ_r)) before its two products.
     * Per tile that is three elementwise passes besides the products, against nine in the
     * general pass with a running maximum.
     */
    private static Result computeUnit(NDArray q, NDArray k, NDArray positive, Mask mask,
            double tau, int tile, boolean symmetric, NDManager out) {
        int n = (int) q.getShape().get(0);
        int kc = (int) k.getShape().get(0);
        long d = q.getShape().get(1);
        DataType type = q.getDataType();
        // Symmetric: logits zs·zsᵀ with zs = z/√τ, one scaled copy for both sides. Otherwise
        // (q/τ)·kᵀ: only the queries are scaled.
        NDArray qs = q.mul(symmetric ? 1.0 / Math.sqrt(tau) : 1.0 / tau); // detached: no graph
        NDArray ks = symmetric ? qs : k;
        NDArray sums = out.zeros(new Shape(n), DataType.FLOAT64);
        forEachTile(n, kc, tile, symmetric, mask, out, (r0, r1, c0, c1, diagonal, t) -> {
            NDArray e = unitExp(qs, ks, r0, r1, c0, c1, mask, t, type);
            slice(sums, r0, r1, t).addi(e.sum(new int[] {1}).toType(DataType.FLOAT64,
                    false));
            if (symmetric && !diagonal) {
                slice(sums, c0, c1, t).addi(e.sum(new int[] {0})
                        .toType(DataType.FLOAT64, false));
            }
        });
        NDArray lse = sums.log();
        double[] lseD = lse.toDoubleArray();
        double[] posD = positive.toType(DataType.FLOAT64, false).toDoubleArray();
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += lseD[r] - posD[r];
        }
        double loss = total / n;
        // a_r = 1/(N·τ·Σ_r) in the logits' own scale: symmetric gradients are taken with respect
        // to zs and carry 1/√τ back to z; the others are taken with respect to q/τ and k.
        double norm = symmetric ? n * Math.sqrt(tau) : n;
        NDArray a = sums.mul(norm).toType(type, false);
        NDArray inv = a.getManager().ones(a.getShape(), type).divi(a);
        a.close();
        lse.close();
        sums.close();
        NDArray gradRows = out.zeros(new Shape(n, d), type);
        NDArray gradCols = symmetric ? null : out.zeros(new Shape(kc, d), type);
        forEachTile(n, kc, tile, symmetric, mask, out, (r0, r1, c0, c1, diagonal, t) -> {
            NDArray e = unitExp(qs, ks, r0, r1, c0, c1, mask, t, type);
            NDArray ar = slice(inv, r0, r1, t).expandDims(1);
            NDArray qTile = slice(q, r0, r1, t);
            if (!symmetric) {
                // dL/dq = A·k/τ, dL/dk = Aᵀ·q/τ with A = E/(N·Σ_r)
                NDArray p = e.muli(ar);
                slice(gradRows, r0, r1, t).addi(p.matMul(slice(k, c0, c1, t))
                        .muli(1.0 / tau));
                slice(gradCols, c0, c1, t).addi(p.transpose().matMul(qTile)
                        .muli(1.0 / tau));
                return;
            }
            // B = E ∘ (a_r + a_c) stands for the tile and its transpose; G = B·zs
            NDArray b = e.muli(ar.add(slice(inv, c0, c1, t).expandDims(0)));
            slice(gradRows, r0, r1, t).addi(b.matMul(slice(qs, c0, c1, t)));
            if (!diagonal) {
                slice(gradRows, c0, c1, t).addi(b.transpose().matMul(slice(qs, r0, r1,
                        t)));
            }
        });
        inv.close();
        if (qs != q) {
            qs.close();
        }
        return new Result(loss, gradRows, gradCols);
    }

    /** exp of the logits tile qs[r0:r1]·ks[c0:c1]ᵀ with the mask applied, owned by {@code t}. */
    private static NDArray unitExp(NDArray qs, NDArray ks, int r0, int r1, int c0, int c1,
            Mask mask, NDManager t, DataType type) {
        NDArray s = slice(qs, r0, r1, t).matMul(slice(ks, c0, c1, t).transpose());
        NDArray m = mask.tile(t, r0, r1, c0, c1, type);
        if (m != null) {
            s.addi(m);
        }
        return s.exp();
    }

    /** The work on one tile: rows [r0, r1) × columns [c0, c1), in its own manager. */
    @FunctionalInterface
    private interface TileWork {
        void run(int r0, int r1, int c0, int c1, boolean diagonal, NDManager t);
    }

    /**
     * Runs {@code work} on every tile of the n×kc logits that the mask does not empty, each in a
     * sub-manager closed after it; with {@code symmetric} only tiles on and above the diagonal.
     */
    private static void forEachTile(int n, int kc, int tile, boolean symmetric, Mask mask,
            NDManager out, TileWork work) {
        // in long: a tile size near Integer.MAX_VALUE overflowed n + tile − 1 and r0 + tile (no
        // tile ran: the loss was −∞ with zero gradients)
        long size = tile;
        long rowTiles = (n + size - 1) / size;
        long colTiles = (kc + size - 1) / size;
        for (long i = 0; i < rowTiles; i++) {
            int r0 = (int) (i * size);
            int r1 = (int) Math.min(n, r0 + size);
            for (long j = symmetric ? i : 0; j < colTiles; j++) {
                int c0 = (int) (j * size);
                int c1 = (int) Math.min(kc, c0 + size);
                if (mask.empty(r0, r1, c0, c1)) {
                    continue;
                }
                try (NDManager t = out.newSubManager()) {
                    work.run(r0, r1, c0, c1, i == j, t);
                }
            }
        }
    }

    private static NDArray slice(NDArray x, int a, int b, NDManager t) {
        NDArray v = x.get(a + ":" + b);
        v.attach(t);
        return v;
    }

    /** The logits tile q[r0:r1]·k[c0:c1]ᵀ/τ + mask, owned by {@code t}. */
    private static NDArray logits(NDArray q, NDArray k, int r0, int r1, int c0, int c1,
            double tau, Mask mask, NDManager t, DataType type) {
        NDArray s = slice(q, r0, r1, t).matMul(slice(k, c0, c1, t).transpose()).divi(tau);
        NDArray m = mask.tile(t, r0, r1, c0, c1, type);
        return m == null ? s : s.addi(m);
    }

    /** Folds a tile's rows into the running max and sum of rows [r0, r0 + rows). */
    private static void accumulate(NDArray s, int r0, double[] max, double[] sum) {
        int rows = (int) s.getShape().get(0);
        NDArray mx = s.max(new int[] {1}, true);
        double[] tileMax = mx.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] tileSum = s.sub(mx).exp().sum(new int[] {1}).toType(DataType.FLOAT64, false)
                .toDoubleArray();
        for (int r = 0; r < rows; r++) {
            double m0 = max[r0 + r];
            double m1 = tileMax[r];
            if (m1 <= Ops.MASKED / 2) {
                continue; // a fully masked row of this tile
            }
            if (m1 > m0) {
                sum[r0 + r] = sum[r0 + r] * Math.exp(m0 - m1) + tileSum[r];
                max[r0 + r] = m1;
            } else {
                sum[r0 + r] += tileSum[r] * Math.exp(m1 - m0);
            }
        }
    }

    /**
     * A scalar whose value is {@code loss} and whose gradient with respect to each {@code z} is
     * its {@code g}: {@code Σ sum(z · g) − (Σ sum(z · g)).detached + loss}. One ordinary backward
     * then pushes the tiled gradients through whatever produced the arrays (the normalisation,
     * the network).
     *
     * @param loss the value
     * @param arraysAndGradients pairs: an array with its graph, then its gradient
     */
    static NDArray surrogate(double loss, NDArray... arraysAndGradients) {
        NDArray dot = null;
        for (int i = 0; i < arraysAndGradients.length; i += 2) {
            NDArray product = arraysAndGradients[i].mul(arraysAndGradients[i + 1].stopGradient());
            NDArray term = product.sum();
            product.close(); // autograd keeps what it needs; at large N this is an N×D copy
            dot = dot == null ? term : dot.add(term);
        }
        return dot.sub(dot.stopGradient()).add(Ops.scalar(dot, loss));
    }
}
