package io.github.selfsup4j.metric;

import java.util.Arrays;

/**
 * Positive pairs (positiveAnchors[i], positives[i]) and negative pairs (negativeAnchors[j],
 * negatives[j]) of batch indices: PML's (a1, p, a2, n).
 *
 * @param positiveAnchors anchors of the positive pairs (PML's a1)
 * @param positives the positives (p)
 * @param negativeAnchors anchors of the negative pairs (a2)
 * @param negatives the negatives (n)
 */
public record Pairs(int[] positiveAnchors, int[] positives, int[] negativeAnchors,
        int[] negatives) implements MinedTuples {

    /** Checks that each pair list has matching lengths. */
    public Pairs {
        if (positiveAnchors.length != positives.length
                || negativeAnchors.length != negatives.length) {
            throw new IllegalArgumentException("pairs: anchors and partners must have matching"
                    + " lengths, got " + positiveAnchors.length + "/" + positives.length
                    + " and " + negativeAnchors.length + "/" + negatives.length);
        }
    }

    /**
     * Every positive pair (i, j), i ≠ j with equal labels, and every negative pair, each in
     * row-major order (PML's {@code get_all_pairs_indices}).
     */
    public static Pairs all(long[] labels) {
        int n = labels.length;
        int np = 0;
        int nn = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (labels[i] != labels[j]) {
                    nn++;
                } else if (i != j) {
                    np++;
                }
            }
        }
        int[] a1 = new int[np];
        int[] p = new int[np];
        int[] a2 = new int[nn];
        int[] ng = new int[nn];
        np = 0;
        nn = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (labels[i] != labels[j]) {
                    a2[nn] = i;
                    ng[nn++] = j;
                } else if (i != j) {
                    a1[np] = i;
                    p[np++] = j;
                }
            }
        }
        return new Pairs(a1, p, a2, ng);
    }

    @Override
    public boolean isEmpty() {
        return positives.length == 0 && negatives.length == 0;
    }

    @Override
    public Pairs pairs() {
        return this;
    }

    /**
     * PML's {@code convert_to_triplets}: every positive pair combined with every negative pair of
     * the same anchor, in the order positive pair, then negative pair.
     */
    @Override
    public Triplets triplets() {
        int n = 0;
        for (int a : positiveAnchors) {
            n = Math.max(n, a + 1);
        }
        for (int a : negativeAnchors) {
            n = Math.max(n, a + 1);
        }
        // negative pairs grouped by anchor, keeping their order
        int[] count = new int[n + 1];
        for (int a : negativeAnchors) {
            count[a + 1]++;
        }
        for (int i = 0; i < n; i++) {
            count[i + 1] += count[i];
        }
        int[] byAnchor = new int[negatives.length];
        int[] fill = Arrays.copyOf(count, n);
        for (int j = 0; j < negatives.length; j++) {
            byAnchor[fill[negativeAnchors[j]]++] = negatives[j];
        }
        long total = 0;
        for (int a : positiveAnchors) {
            total += count[a + 1] - count[a];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("pairs: " + total + " triplets are too many");
        }
        int[] ta = new int[(int) total];
        int[] tp = new int[(int) total];
        int[] tn = new int[(int) total];
        int t = 0;
        for (int i = 0; i < positives.length; i++) {
            int a = positiveAnchors[i];
            for (int k = count[a]; k < count[a + 1]; k++) {
                ta[t] = a;
                tp[t] = positives[i];
                tn[t++] = byAnchor[k];
            }
        }
        return new Triplets(ta, tp, tn);
    }
}
