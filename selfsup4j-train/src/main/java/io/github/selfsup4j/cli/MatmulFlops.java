package io.github.selfsup4j.cli;

/**
 * The floating-point operations of the matrix products of one forward+backward step of
 * {@code nt-xent} or {@code info-nce}, as {@code bench} reports them: those the code executes,
 * and the dense-equivalent count, three rows×cols×D products (one forward, two backward) of the
 * whole logits matrix. A product of an (a×b) and a (b×c) matrix counts 2·a·b·c. Elementwise work
 * and the O(N·D) row products are not counted.
 *
 * <p>What executes, from the tile layout of {@code TiledSoftmax} (tiles of {@code tile} rows
 * and columns, the last ones shorter):
 *
 * <ul>
 *   <li>tiled {@code nt-xent}: only the tiles on and above the diagonal of the symmetric 2N×2N
 *       matrix; a diagonal tile costs three tile products (forward, the backward's recomputation,
 *       one gradient product), one above the diagonal four (it also serves its transpose: a
 *       second gradient product). About (2T² + T)/(3T²) ≈ 2/3 of the dense-equivalent count for
 *       T tiles a side.
 *   <li>tiled {@code info-nce}: every tile of the N×(N+K) matrix, four tile products each
 *       (forward, recomputation, the gradients of both sides), except, with a queue, the key
 *       tiles that do not meet the diagonal, which are skipped.
 *   <li>dense: three products of the matrix actually formed: the 2N×2N logits of {@code nt-xent}
 *       (equal to the dense-equivalent count), N×N for {@code info-nce} without a queue, and
 *       only the N×K query-by-queue block with one (the positives are row dot products).
 * </ul>
 */
final class MatmulFlops {

    private MatmulFlops() {}

    /** Three rows×cols×D products: the dense-equivalent count. */
    static double denseEquivalent(long rows, long cols, long dim) {
        return 3.0 * 2 * rows * cols * dim;
    }

    /** Tiled NT-Xent over {@code rows} = 2N rows: the tiles on and above the diagonal. */
    static double ntXentTiled(long rows, long tile, long dim) {
        long t = Math.min(tile, rows);
        double sum = 0;
        for (long r0 = 0; r0 < rows; r0 += t) {
            long h = Math.min(t, rows - r0);
            for (long c0 = r0; c0 < rows; c0 += t) {
                long w = Math.min(t, rows - c0);
                sum += (c0 == r0 ? 3.0 : 4.0) * h * w;
            }
        }
        return 2.0 * dim * sum;
    }

    /** Tiled InfoNCE, N queries against N keys and a queue of {@code queue}. */
    static double infoNceTiled(long n, long queue, long tile, long dim) {
        long cols = n + queue;
        long t = Math.min(tile, Math.max(n, cols));
        double sum = 0;
        for (long r0 = 0; r0 < n; r0 += t) {
            long r1 = Math.min(n, r0 + t);
            for (long c0 = 0; c0 < cols; c0 += t) {
                long c1 = Math.min(cols, c0 + t);
                // InfoNceLoss's mask: with a queue a query keeps only its own key among the keys
                boolean skipped = queue > 0 && c1 <= n && (c1 <= r0 || c0 >= r1);
                if (!skipped) {
                    sum += 4.0 * (r1 - r0) * (c1 - c0);
                }
            }
        }
        return 2.0 * dim * sum;
    }

    /**
     * The executed count of one step.
     *
     * @param ntXent nt-xent (else info-nce)
     * @param tiled whether the tiled implementation runs
     * @param pairs N
     * @param queue K (info-nce; 0 for none)
     * @param tile the tile size
     * @param dim D
     */
    static double executed(boolean ntXent, boolean tiled, long pairs, long queue, long tile,
            long dim) {
        if (ntXent) {
            return tiled ? ntXentTiled(2 * pairs, tile, dim)
                    : denseEquivalent(2 * pairs, 2 * pairs, dim);
        }
        if (tiled) {
            return infoNceTiled(pairs, queue, tile, dim);
        }
        return denseEquivalent(pairs, queue > 0 ? queue : pairs, dim);
    }
}
