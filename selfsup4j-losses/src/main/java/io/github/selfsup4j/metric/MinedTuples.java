package io.github.selfsup4j.metric;

/**
 * What a miner returns: index tuples into the batch, either {@link Triplets} or {@link Pairs}.
 * Each converts to the other as PML's {@code convert_to_pairs} / {@code convert_to_triplets} do.
 */
public sealed interface MinedTuples permits Triplets, Pairs {

    /** These tuples as triplets. */
    Triplets triplets();

    /** These tuples as pairs. */
    Pairs pairs();

    /** Whether no tuple was mined. */
    boolean isEmpty();
}
