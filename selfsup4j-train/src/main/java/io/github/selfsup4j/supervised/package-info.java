/**
 * Supervised metric-learning jobs of the training engine (triplet, contrastive, SupCon,
 * multi-similarity): P×K class-balanced batches with their labels ({@link
 * io.github.selfsup4j.augment.LabelledBatch}), the project's encoder with a linear embedding
 * head, a labelled loss of the library, and retrieval evaluation (Precision@1, R-Precision,
 * MAP@R) under the closed-set or open-set protocol. The self-supervised jobs of {@code method}
 * never see labels; these do, by design.
 */
package io.github.selfsup4j.supervised;
