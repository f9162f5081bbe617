package io.github.selfsup4j.optim;

/**
 * Learning rate by step: linear warm-up from 0 to the base rate, then cosine decay to {@code
 * finalFraction} of it at the last step.
 *
 * @param baseLr the peak learning rate
 * @param warmupSteps steps of linear warm-up
 * @param totalSteps all steps of the run
 * @param finalFraction the rate at the end, as a fraction of the peak
 */
public record Schedule(double baseLr, long warmupSteps, long totalSteps, double finalFraction) {

    /** The rate at a step (0-based). */
    public double lr(long step) {
        if (step < warmupSteps) {
            return baseLr * (step + 1) / warmupSteps;
        }
        long decay = Math.max(1, totalSteps - warmupSteps);
        double t = Math.min(1.0, (double) (step - warmupSteps) / decay);
        double cos = 0.5 * (1 + Math.cos(Math.PI * t));
        return baseLr * (finalFraction + (1 - finalFraction) * cos);
    }
}
