/**
 * Synchronised BatchNorm for data-parallel training: {@link
 * io.github.selfsup4j.model.syncbn.BatchNorm} normalises with the statistics of the global batch
 * inside a {@link io.github.selfsup4j.model.syncbn.BatchNormSync} session, and the session's
 * backward passes give every rank the exact gradient (DJL has no custom backward).
 */
package io.github.selfsup4j.model.syncbn;
