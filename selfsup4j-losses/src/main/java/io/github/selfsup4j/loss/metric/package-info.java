/**
 * Metric-learning losses: {@link io.github.selfsup4j.loss.metric.ContrastiveLoss} and {@link
 * io.github.selfsup4j.loss.metric.TripletLoss} on given pairs and triplets or on a labelled batch
 * with a miner, and {@link io.github.selfsup4j.loss.metric.MultiSimilarityLoss}. Distances,
 * miners and reductions are in {@code io.github.selfsup4j.metric}; the supervised contrastive
 * loss, a softmax over views like NT-Xent, is {@code loss.contrastive.SupConLoss}.
 */
package io.github.selfsup4j.loss.metric;
