/**
 * Metric-learning losses on pairs and triplets: {@link
 * io.github.selfsup4j.loss.metric.ContrastiveLoss} and {@link
 * io.github.selfsup4j.loss.metric.TripletLoss}.
 */
package io.github.selfsup4j.loss.metric;
