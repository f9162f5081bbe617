package io.github.selfsup4j.supervised;

import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.Normalization;
import io.github.selfsup4j.method.SslOptions;

/**
 * What a metric-learning job is built from: the shared training options (optimiser, encoder,
 * views, seed), the metric options (P×K, embedding size), the labelled training images, their
 * normalisation and this process's rank.
 *
 * @param options the shared training options ({@code batchSize} is P·K)
 * @param metric the metric-learning options
 * @param train the training images, with labels
 * @param normalization the training images' pixel statistics
 * @param rank this process's rank
 * @param world the number of processes
 */
public record MetricSetup(SslOptions options, MetricOptions metric, ImageDataset train,
        Normalization normalization, int rank, int world) {

    /** A single-process setup, normalised with the training images' statistics. */
    public static MetricSetup of(SslOptions options, MetricOptions metric, ImageDataset train) {
        return new MetricSetup(options, metric, train, Normalization.of(train.images()), 0, 1);
    }
}
