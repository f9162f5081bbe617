package io.github.selfsup4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learning-rate plan, and what a resumed run that changes it does. */
class ScheduleTest {

    @Test
    void warmUpThenCosineToTheFinalFraction() {
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        assertEquals(0.1, s.lr(0), 1e-12);
        assertEquals(1.0, s.lr(9), 1e-12);
        assertEquals(1.0, s.lr(10), 1e-12);
        assertEquals(0.5, s.lr(60), 1e-12, "half way through the decay");
        assertEquals(0.0, s.lr(110), 1e-12);
    }

    @Test
    void extendingARunContinuesFromTheCurrentRateWithoutAJump() {
        // Regression: --resume with more --epochs rebuilt the cosine over the new total, so the
        // rate jumped up (from about 0 to 1e-3 near the end of a run).
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        long at = 100;
        double before = s.lr(at);
        Schedule longer = s.resumedAt(at, 210, 1.0);
        assertEquals(before, longer.lr(at), 1e-12, "no jump at the resume step");
        for (long t = 0; t < at; t++) {
            assertEquals(s.lr(t), longer.lr(t), 0, "the past is unchanged at step " + t);
        }
        for (long t = at; t < 209; t++) {
            assertTrue(longer.lr(t + 1) <= longer.lr(t) + 1e-15, "decays monotonically at " + t);
        }
        assertEquals(0.0, longer.lr(210), 1e-12, "ends at the final fraction");
        double rebuilt = new Schedule(1.0, 10, 210, 0.0).lr(at);
        assertTrue(rebuilt > 10 * before, "rebuilding would have jumped: " + rebuilt + " vs "
                + before);
    }

    @Test
    void aNewPeakScalesTheRestOfThePlan() {
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        Schedule lower = s.resumedAt(50, 110, 0.25);
        assertEquals(0.25 * s.lr(50), lower.lr(50), 1e-12, "the current rate, scaled");
        for (long t = 50; t < 110; t++) {
            assertTrue(lower.lr(t) <= 0.25 * 1.0 && lower.lr(t + 1) <= lower.lr(t) + 1e-15);
        }
        assertEquals(0.0, lower.lr(110), 1e-12);
        assertEquals(s.lr(49), lower.lr(49), 0, "the past is unchanged");
    }

    @Test
    void aFinishedRunExtendedWithANewPeakRestartsFromItAndWithoutOneStaysAtTheFloor() {
        // Regression: the new segment scaled the finished plan's rate (0) by the new peak, so
        // `--resume RUN --epochs more --lr X` trained at rate 0 whatever X was
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        assertEquals(0.0, s.lr(110), 1e-12, "the run had ended at the floor");
        Schedule restarted = s.resumedAt(110, 210, 0.5);
        assertEquals(0.5, restarted.lr(110), 1e-12, "restarts from the new peak");
        assertEquals(0.25, restarted.lr(160), 1e-12, "cosine over the added steps");
        assertEquals(0.0, restarted.lr(210), 1e-12);
        Schedule same = s.resumedAt(110, 210, 1.0);
        assertEquals(0.0, same.lr(150), 1e-12, "the same peak: the rate stays where it was");
    }

    @Test
    void aResumeInsideTheWarmUpFinishesTheWarmUpToTheNewPeak() {
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        Schedule r = s.resumedAt(5, 210, 0.5);
        assertEquals(0.5 * 6 / 10, r.lr(5), 1e-12);
        assertEquals(0.5, r.lr(10), 1e-12);
        assertEquals(0.25, r.lr(110), 1e-12, "cosine from the peak over the new total");
    }

    @Test
    void segmentsMustStartAtZeroAndIncrease() {
        assertThrows(IllegalArgumentException.class, () -> new Schedule(0, 0,
                java.util.List.of(new Schedule.Segment(1, 10, 1.0))));
        Schedule s = new Schedule(1.0, 0, 10, 0.0).resumedAt(5, 20, 1.0).resumedAt(5, 30, 2.0);
        assertEquals(2, s.segments().size(), "a second resume at the same step replaces it");
        assertEquals(2.0, s.peakLr(), 0);
    }
}
