package io.github.selfsup4j.engine;

import java.util.Map;

/**
 * What one step reports.
 *
 * @param loss the loss the step minimised (for a job with several, the main one)
 * @param images images consumed by the step on this rank
 * @param scalars other values to log, by name, in a stable order (e.g. a GAN's D(real))
 */
public record StepResult(float loss, int images, Map<String, Double> scalars) {

    /** A step that reports only its loss. */
    public static StepResult of(float loss, int images) {
        return new StepResult(loss, images, Map.of());
    }
}
