package io.github.selfsup4j.metric;

import io.github.selfsup4j.numerics.Checks;
import java.util.Arrays;

/**
 * Triplets chosen by their margin \(m_t = d_{an} - d_{ap}\) (for a similarity, \(s_{ap} -
 * s_{an}\)), as PML's {@code TripletMarginMiner}:
 *
 * <ul>
 *   <li>{@code semi-hard}: \(0 < m_t \le\) margin, the negative farther than the positive but
 *       within the margin (Schroff et al. 2015);
 *   <li>{@code hard}: \(m_t \le 0\), the negative no farther than the positive;
 *   <li>{@code all}: every valid triplet (PML's behaviour with no miner; PML's {@code
 *       type_of_triplets="all"} would also drop the easy triplets, \(m_t >\) margin, whose
 *       triplet loss is zero anyway).
 * </ul>
 *
 * <p>Triplets come in the order of PML's {@code get_all_triplets_indices}: by anchor, then
 * positive, then negative index. Default margin 0.2 (PML's).
 */
public final class TripletMarginMiner implements Miner {

    /** Which triplets are kept. */
    public enum Type {
        /** Every valid triplet. */
        ALL("all"),
        /** \(m_t \le 0\). */
        HARD("hard"),
        /** \(0 < m_t \le\) margin. */
        SEMI_HARD("semi-hard");

        private final String jsonName;

        Type(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name in the JSON interface. */
        public String jsonName() {
            return jsonName;
        }
    }

    /** PML's default margin. */
    public static final double DEFAULT_MARGIN = 0.2;

    private final Distance distance;
    private final Type type;
    private final double margin;

    /**
     * A triplet-margin miner.
     *
     * @param distance the distance to compare with
     * @param type which triplets to keep
     * @param margin the margin of {@code semi-hard} (finite, > 0; unused by the others)
     */
    public TripletMarginMiner(Distance distance, Type type, double margin) {
        this.distance = distance;
        this.type = type;
        this.margin = Checks.positive(type.jsonName, "margin", margin);
    }

    @Override
    public String name() {
        return type.jsonName;
    }

    @Override
    public Distance distance() {
        return distance;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For {@code all} these are every positive and every negative pair (PML's {@code
     * get_all_pairs_indices}), not the pairs of every triplet, which would repeat each pair.
     */
    @Override
    public Pairs minePairs(double[] oriented, long[] labels) {
        return type == Type.ALL ? Pairs.all(labels) : mine(oriented, labels).pairs();
    }

    @Override
    public Triplets mine(double[] d, long[] labels) {
        int n = labels.length;
        int cap = 16;
        int[] a = new int[cap];
        int[] p = new int[cap];
        int[] ng = new int[cap];
        int t = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j == i || labels[j] != labels[i]) {
                    continue;
                }
                double ap = d[i * n + j];
                for (int k = 0; k < n; k++) {
                    if (labels[k] == labels[i]) {
                        continue;
                    }
                    double m = d[i * n + k] - ap;
                    boolean keep = switch (type) {
                        case ALL -> true;
                        case HARD -> m <= 0;
                        case SEMI_HARD -> m > 0 && m <= margin;
                    };
                    if (keep) {
                        if (t == cap) {
                            if (cap > Integer.MAX_VALUE / 2 - 8) {
                                throw new IllegalArgumentException(name()
                                        + ": too many triplets for one batch of " + n);
                            }
                            cap *= 2;
                            a = Arrays.copyOf(a, cap);
                            p = Arrays.copyOf(p, cap);
                            ng = Arrays.copyOf(ng, cap);
                        }
                        a[t] = i;
                        p[t] = j;
                        ng[t++] = k;
                    }
                }
            }
        }
        return new Triplets(Arrays.copyOf(a, t), Arrays.copyOf(p, t), Arrays.copyOf(ng, t));
    }
}
