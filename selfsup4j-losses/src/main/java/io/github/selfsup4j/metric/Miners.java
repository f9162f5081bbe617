package io.github.selfsup4j.metric;

import java.util.List;

/** The miners by their JSON names. */
public final class Miners {

    /** The miner names, in the README's order. */
    public static final List<String> NAMES = List.of(BatchHardMiner.NAME, "semi-hard", "hard",
            "all", MultiSimilarityMiner.NAME);

    private Miners() {}

    /**
     * A miner by name.
     *
     * @param owner the loss or request, for messages
     * @param name one of {@link #NAMES}
     * @param distance the distance the miner compares with
     * @param margin the margin of {@code semi-hard} (> 0)
     * @param epsilon the ε of {@code multi-similarity} (≥ 0)
     * @return the miner
     */
    public static Miner create(String owner, String name, Distance distance, double margin,
            double epsilon) {
        if (name == null) {
            throw new IllegalArgumentException(owner + ": miner is missing (miners: "
                    + String.join(", ", NAMES) + ")");
        }
        switch (name) {
            case BatchHardMiner.NAME:
                return new BatchHardMiner(distance);
            case "semi-hard":
                return new TripletMarginMiner(distance, TripletMarginMiner.Type.SEMI_HARD, margin);
            case "hard":
                return new TripletMarginMiner(distance, TripletMarginMiner.Type.HARD, margin);
            case "all":
                return new TripletMarginMiner(distance, TripletMarginMiner.Type.ALL, margin);
            case MultiSimilarityMiner.NAME:
                return new MultiSimilarityMiner(distance, epsilon);
            default:
                throw new IllegalArgumentException(owner + ": unknown miner \"" + name
                        + "\" (miners: " + String.join(", ", NAMES) + ")");
        }
    }

    /** PML's default distance of a miner: cosine for multi-similarity, else normalised L2. */
    public static Distance defaultDistance(String name) {
        return MultiSimilarityMiner.NAME.equals(name) ? new CosineSimilarity()
                : new EuclideanDistance(true);
    }
}
