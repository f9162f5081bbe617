package io.github.selfsup4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class LarsTest {

    @Test
    void matchesAHandComputedUpdate() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            // w = (3, 4), |w| = 5; g = (0.6, 0.8); wd = 0.1: g' = g + 0.1 w = (0.9, 1.2), |g'| = 1.5
            // trust = η |w| / |g'| = 0.01 · 5 / 1.5 = 1/30; lr = 0.5:
            // step 1: v = 0.5 · (1/30) · (0.9, 1.2) = (0.015, 0.02); w = (2.985, 3.98)
            Schedule constant = new Schedule(0.5, 0, 10, 1.0);
            Lars lars = new Lars(m, constant, 0.9, 0.1, 0.01);
            NDArray w = m.create(new float[] {3, 4}, new Shape(1, 2));
            NDArray g = m.create(new float[] {0.6f, 0.8f}, new Shape(1, 2));
            lars.update("w", w, g);
            lars.endStep();
            assertArrayEquals(new float[] {2.985f, 3.98f}, w.toFloatArray(), 1e-6f);
            // step 2 with the same g: g' = (0.6, 0.8) + 0.1 (2.985, 3.98) = (0.8985, 1.198),
            // |w| = 4.975, |g'| = 1.4975, trust = 0.01 · 4.975 / 1.4975
            double trust = 0.01 * Math.hypot(2.985, 3.98) / Math.hypot(0.8985, 1.198);
            double v1 = 0.9 * 0.015 + 0.5 * trust * 0.8985;
            double v2 = 0.9 * 0.02 + 0.5 * trust * 1.198;
            lars.update("w", w, g);
            lars.endStep();
            assertArrayEquals(new float[] {(float) (2.985 - v1), (float) (3.98 - v2)},
                    w.toFloatArray(), 1e-6f);

            // biases / BatchNorm (1-D): no weight decay, no trust ratio: v = lr · g
            NDArray b = m.create(new float[] {1, 1});
            lars.update("b", b, m.create(new float[] {0.2f, -0.4f}));
            assertArrayEquals(new float[] {0.9f, 1.2f}, b.toFloatArray(), 1e-6f);

            // state survives a save/load round trip
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            lars.save(new DataOutputStream(bytes));
            Lars copy = new Lars(m, constant, 0.9, 0.1, 0.01);
            copy.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(2, copy.step());
            NDArray w2 = w.duplicate();
            lars.update("w", w, g);
            copy.update("w", w2, g);
            assertArrayEquals(w.toFloatArray(), w2.toFloatArray(), 0f);
        }
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        Schedule s = new Schedule(1.0, 10, 110, 0.0);
        assertEquals(0.1, s.lr(0), 1e-12);
        assertEquals(1.0, s.lr(9), 1e-12);
        assertEquals(1.0, s.lr(10), 1e-12);
        assertEquals(0.5, s.lr(60), 1e-12);
        assertEquals(0.0, s.lr(110), 1e-12);
    }
}
