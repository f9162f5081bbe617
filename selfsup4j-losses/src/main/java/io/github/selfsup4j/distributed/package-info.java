/**
 * Losses across processes with exact gradients: the {@link
 * io.github.selfsup4j.distributed.Collective} interface, an in-process {@link
 * io.github.selfsup4j.distributed.LocalCollective} for simulation and tests, and {@link
 * io.github.selfsup4j.distributed.GatheredLoss}, the two-pass gather.
 */
package io.github.selfsup4j.distributed;
