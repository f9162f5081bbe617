/**
 * Redundancy-reduction losses that need no negatives: {@link
 * io.github.selfsup4j.loss.redundancy.VicRegLoss} and {@link
 * io.github.selfsup4j.loss.redundancy.BarlowTwinsLoss}.
 */
package io.github.selfsup4j.loss.redundancy;
