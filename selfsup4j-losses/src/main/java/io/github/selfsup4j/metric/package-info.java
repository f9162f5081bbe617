/**
 * The pieces of metric learning, split as in pytorch-metric-learning (PML): a {@link
 * io.github.selfsup4j.metric.Distance} (Euclidean or cosine similarity), a {@link
 * io.github.selfsup4j.metric.Miner} that turns a labelled batch into index tuples ({@link
 * io.github.selfsup4j.metric.Triplets} or {@link io.github.selfsup4j.metric.Pairs}), and a
 * {@link io.github.selfsup4j.metric.Reduction} of per-tuple losses. The losses that use them live
 * in {@code io.github.selfsup4j.loss.metric}; this package does not depend on them.
 */
package io.github.selfsup4j.metric;
