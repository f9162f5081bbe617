package io.github.selfsup4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Adam with the β that GANs use, against a hand-computed two-step update. */
class AdamTest {

    @Test
    void twoStepsWithGivenBetasMatchTheHandComputedUpdate() {
        try (NDManager m = NDManager.newBaseManager()) {
            double lr = 0.1;
            double b1 = 0.5;
            double b2 = 0.9;
            Adam adam = new Adam(m, new Schedule(lr, 0, 10, 1.0), 0, b1, b2);
            NDArray w = m.create(new float[] {1, -2}, new Shape(1, 2));
            double[] g1 = {0.5, -4};
            double[] g2 = {-1, 2};
            double[] expected = {1, -2};
            double[] mom = new double[2];
            double[] vel = new double[2];
            for (int t = 1; t <= 2; t++) {
                double[] g = t == 1 ? g1 : g2;
                adam.update("w", w, m.create(new float[] {(float) g[0], (float) g[1]},
                        new Shape(1, 2)));
                adam.endStep();
                for (int i = 0; i < 2; i++) {
                    mom[i] = b1 * mom[i] + (1 - b1) * g[i];
                    vel[i] = b2 * vel[i] + (1 - b2) * g[i] * g[i];
                    double mHat = mom[i] / (1 - Math.pow(b1, t));
                    double vHat = vel[i] / (1 - Math.pow(b2, t));
                    expected[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                assertArrayEquals(new float[] {(float) expected[0], (float) expected[1]},
                        w.toFloatArray(), 1e-6f, "step " + t);
            }
        }
    }

    @Test
    void betasOutsideTheUnitIntervalAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            Schedule s = new Schedule(0.1, 0, 10, 1.0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Adam(m, s, 0, 1.0, 0.9));
            assertTrue(e.getMessage().contains("beta1") && e.getMessage().contains("1.0"));
            assertThrows(IllegalArgumentException.class, () -> new Adam(m, s, 0, 0.5, Double.NaN));
        }
    }
}
