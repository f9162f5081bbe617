/**
 * The engine's standard listeners, one concern each: {@link
 * io.github.selfsup4j.engine.listener.CheckpointListener}, {@link
 * io.github.selfsup4j.engine.listener.ProgressListener}, {@link
 * io.github.selfsup4j.engine.listener.EpochSummaryListener}, {@link
 * io.github.selfsup4j.engine.listener.MemoryListener}, {@link
 * io.github.selfsup4j.engine.listener.NonFiniteListener} and {@link
 * io.github.selfsup4j.engine.listener.MetricsHistory}.
 */
package io.github.selfsup4j.engine.listener;
