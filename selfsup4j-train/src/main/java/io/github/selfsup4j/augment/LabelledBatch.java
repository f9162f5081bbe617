package io.github.selfsup4j.augment;

/**
 * Views with the images' labels: the batch type of supervised (metric-learning) jobs.
 *
 * @param views the views
 * @param labels the label of every image of {@code views.images()}
 */
public record LabelledBatch(ViewBatch views, int[] labels) {}
