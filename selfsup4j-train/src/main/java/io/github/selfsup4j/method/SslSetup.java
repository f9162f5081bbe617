package io.github.selfsup4j.method;

import io.github.selfsup4j.data.Images;
import io.github.selfsup4j.data.Normalization;

/**
 * What a self-supervised method is built from: the shared options, the training images (no
 * labels: the method cannot see any), their normalisation, and this process's rank.
 *
 * @param options the shared options
 * @param train the training images
 * @param normalization the training images' pixel statistics
 * @param rank this process's rank
 * @param world the number of processes
 */
public record SslSetup(SslOptions options, Images train, Normalization normalization, int rank,
        int world) {}
