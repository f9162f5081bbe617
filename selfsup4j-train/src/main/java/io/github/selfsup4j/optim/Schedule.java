package io.github.selfsup4j.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Learning rate by step: linear warm-up from 0 to the peak rate, then cosine decay to {@code
 * finalFraction} of the peak at the last step.
 *
 * <p><b>Resumed runs that change the plan.</b> A run resumed at step {@code s0} with more (or
 * fewer) epochs, or with another peak rate, adds a {@link Segment} that starts at {@code s0}:
 * the rate goes on from the value the schedule had at {@code s0} (scaled by {@code newPeak /
 * oldPeak} when the peak changed) and decays along a cosine to {@code finalFraction · newPeak} at
 * the new last step. Without a new peak the rate is therefore continuous: extending a run never
 * makes it jump (rebuilding the cosine over the new total would). A warm-up that was not finished
 * at {@code s0} is finished first, up to the (new) peak. A run whose plan had ended (its rate at
 * the floor, 0 by default) stays at the floor when extended with the same peak; extended with a
 * new peak it restarts from that peak and decays over the added steps (a warm restart, as
 * SGDR), since scaling a rate of 0 would leave it at 0.
 */
public final class Schedule {

    /**
     * One part of the plan.
     *
     * @param fromStep the first step it covers
     * @param totalSteps the run's last step + 1 under this part
     * @param peakLr the peak learning rate
     */
    public record Segment(long fromStep, long totalSteps, double peakLr) {}

    private final long warmupSteps;
    private final double finalFraction;
    private final List<Segment> segments;

    /**
     * The plan of a fresh run.
     *
     * @param baseLr the peak learning rate
     * @param warmupSteps steps of linear warm-up
     * @param totalSteps all steps of the run
     * @param finalFraction the rate at the end, as a fraction of the peak
     */
    public Schedule(double baseLr, long warmupSteps, long totalSteps, double finalFraction) {
        this(warmupSteps, finalFraction, List.of(new Segment(0, totalSteps, baseLr)));
    }

    /**
     * A plan made of segments (the first starts at step 0).
     *
     * @param warmupSteps steps of linear warm-up
     * @param finalFraction the rate at the end, as a fraction of the peak
     * @param segments the segments, by increasing first step
     */
    public Schedule(long warmupSteps, double finalFraction, List<Segment> segments) {
        if (segments.isEmpty() || segments.get(0).fromStep() != 0) {
            throw new IllegalArgumentException("schedule: the first segment must start at step 0");
        }
        for (int i = 1; i < segments.size(); i++) {
            if (segments.get(i).fromStep() <= segments.get(i - 1).fromStep()) {
                throw new IllegalArgumentException("schedule: segments must start at increasing"
                        + " steps, got " + segments);
            }
        }
        this.warmupSteps = warmupSteps;
        this.finalFraction = finalFraction;
        this.segments = List.copyOf(segments);
    }

    /** The segments of the plan. */
    public List<Segment> segments() {
        return segments;
    }

    /** The peak rate in force at the last segment. */
    public double peakLr() {
        return segments.get(segments.size() - 1).peakLr();
    }

    /**
     * The plan with a new segment from {@code fromStep} (replacing segments that start there or
     * later).
     */
    public Schedule resumedAt(long fromStep, long totalSteps, double peakLr) {
        List<Segment> s = new ArrayList<>();
        for (Segment g : segments) {
            if (g.fromStep() < fromStep) {
                s.add(g);
            }
        }
        s.add(new Segment(fromStep, totalSteps, peakLr));
        return new Schedule(warmupSteps, finalFraction, s);
    }

    /** The rate at a step (0-based). */
    public double lr(long step) {
        int k = segments.size() - 1;
        while (segments.get(k).fromStep() > step) {
            k--;
        }
        return rate(k, step);
    }

    private double rate(int k, long step) {
        Segment g = segments.get(k);
        if (step < warmupSteps) {
            return g.peakLr() * (step + 1) / warmupSteps;
        }
        long start = Math.max(g.fromStep(), warmupSteps);
        // a segment that saw the end of the warm-up decays from its peak; a later one goes on
        // from the rate the previous plan had reached
        Segment previous = k > 0 ? segments.get(k - 1) : null;
        double startRate;
        if (g.fromStep() <= warmupSteps) {
            startRate = g.peakLr();
        } else if (start >= previous.totalSteps() && g.peakLr() != previous.peakLr()) {
            // the previous plan had ended (its rate is its floor, 0 by default): a new peak is
            // a restart from that peak, since scaling the floor would leave the rate at 0
            startRate = g.peakLr();
        } else {
            startRate = rate(k - 1, start) * g.peakLr() / previous.peakLr();
        }
        double floor = finalFraction * g.peakLr();
        long decay = Math.max(1, g.totalSteps() - start);
        double t = Math.min(1.0, (double) (step - start) / decay);
        return floor + (startRate - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    @Override
    public String toString() {
        return "Schedule[warmup " + warmupSteps + ", final " + finalFraction + ", " + segments
                + "]";
    }
}
