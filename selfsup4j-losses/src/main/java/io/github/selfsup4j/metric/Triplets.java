package io.github.selfsup4j.metric;

/**
 * Triplets (anchor, positive, negative) of batch indices: {@code labels[anchors[t]] ==
 * labels[positives[t]]}, {@code anchors[t] != positives[t]}, {@code labels[anchors[t]] !=
 * labels[negatives[t]]}.
 *
 * @param anchors anchor indices
 * @param positives positive indices, one per anchor entry
 * @param negatives negative indices, one per anchor entry
 */
public record Triplets(int[] anchors, int[] positives, int[] negatives) implements MinedTuples {

    /** Checks that the three arrays have one length. */
    public Triplets {
        if (anchors.length != positives.length || anchors.length != negatives.length) {
            throw new IllegalArgumentException("triplets: anchors, positives and negatives must"
                    + " have one length, got " + anchors.length + ", " + positives.length + ", "
                    + negatives.length);
        }
    }

    /** The number of triplets. */
    public int size() {
        return anchors.length;
    }

    @Override
    public boolean isEmpty() {
        return anchors.length == 0;
    }

    @Override
    public Triplets triplets() {
        return this;
    }

    /** PML's {@code convert_to_pairs}: (a, p) positive pairs and (a, n) negative pairs. */
    @Override
    public Pairs pairs() {
        return new Pairs(anchors.clone(), positives.clone(), anchors.clone(), negatives.clone());
    }
}
