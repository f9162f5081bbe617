package io.github.selfsup4j.loss.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * WGAN-GP needs a double backward. This checks, on the PyTorch engine, that the penalty's value
 * and its gradient with respect to the critic's parameters match the analytic ones for a critic
 * with a non-zero second derivative, D(x) = Σ_j w_j x_j².
 */
class GradientPenaltyTest {

    @Test
    void doubleBackwardMatchesTheAnalyticGradient() {
        int n = 4;
        int d = 3;
        Random r = new Random(5);
        double[][] x = new double[n][d];
        double[] w = {0.7, -0.4, 1.3};
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        double lambda = 10;
        // ∇x D = 2 w ⊙ x, norm_n = 2 sqrt(Σ_j w_j² x_nj²)
        // P = λ/N Σ (norm_n - 1)²; dP/dw_j = λ/N Σ_n 2 (norm_n - 1) · 4 w_j x_nj² / norm_n
        double penalty = 0;
        double[] grad = new double[d];
        for (double[] row : x) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += w[j] * w[j] * row[j] * row[j];
            }
            double norm = 2 * Math.sqrt(s);
            penalty += lambda / n * (norm - 1) * (norm - 1);
            for (int j = 0; j < d; j++) {
                grad[j] += lambda / n * 2 * (norm - 1) * 4 * w[j] * row[j] * row[j] / norm;
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            double[] flat = new double[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x[i], 0, flat, i * d, d);
            }
            NDArray points = m.create(flat, new Shape(n, d));
            NDArray weight = m.create(w);
            weight.setRequiresGradient(true);
            GradientPenalty gp = GradientPenalty.builder().optLambda(lambda).build();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                    GradientPenalty.Penalty p = gp.at(
                            xs -> xs.square().mul(weight).sum(new int[] {1}), points,
                            List.of(weight))) {
                assertEquals(penalty, p.value().getDouble(), 1e-9);
                gc.backward(p.value());
            }
            double[] got = weight.getGradient().toDoubleArray();
            for (int j = 0; j < d; j++) {
                assertEquals(grad[j], got[j], 1e-9, "dP/dw_" + j);
            }
        }
    }

    @Test
    void earlierParameterGradientsArePreservedAndInterpolatesAreSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(new float[] {0.5f, -1f});
            weight.setRequiresGradient(true);
            NDArray real = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray fake = m.create(new float[] {0, 1, -1, 2}, new Shape(2, 2));
            float[][] seen = new float[2][];
            for (int run = 0; run < 2; run++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // a critic loss back-propagated first: its gradient must survive
                    gc.backward(real.matMul(weight).sum());
                    float[] before = weight.getGradient().toFloatArray();
                    GradientPenalty gp = GradientPenalty.builder().optSeed(3).build();
                    try (GradientPenalty.Penalty p = gp.compute(
                            xs -> xs.square().matMul(weight), real, fake, List.of(weight))) {
                        float[] after = weight.getGradient().toFloatArray();
                        assertEquals(before[0], after[0], 1e-6f, "inner backward left no trace");
                        assertEquals(before[1], after[1], 1e-6f);
                        assertTrue(Float.isFinite(p.value().getFloat()));
                        seen[run] = p.points().toFloatArray();
                        gc.backward(p.value());
                    }
                }
                weight.getGradient().subi(weight.getGradient());
            }
            assertEquals(seen[0][0], seen[1][0], "same seed, same interpolates");
            assertEquals(DataType.FLOAT32, weight.getGradient().getDataType());
        }
    }

    /** The live arrays of {@code m} and its sub-managers. */
    static int liveArrays(NDManager m) {
        return ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void liveArraysStayConstantOverAThousandCalls() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(new float[] {0.5f, -1f});
            weight.setRequiresGradient(true);
            NDArray real = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray fake = m.create(new float[] {0, 1, -1, 2}, new Shape(2, 2));
            GradientPenalty gp = GradientPenalty.builder().optSeed(3).build();
            int before = liveArrays(m);
            int[] live = new int[2];
            for (int call = 0; call <= 1000; call++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    GradientPenalty.Penalty p = call % 2 == 0
                            ? gp.compute(xs -> xs.square().matMul(weight), real, fake,
                                    List.of(weight))
                            : gp.at(xs -> xs.square().matMul(weight), real, List.of(weight));
                    try (p) {
                        gc.backward(p.value());
                    }
                }
                // the test's own handles closed too: both attach to the weight's manager
                try (NDArray g = weight.getGradient(); NDArray copy = g.stopGradient()) {
                    assertTrue(Float.isFinite(g.getFloat(0)));
                    g.subi(copy);
                }
                if (call == 0) {
                    live[0] = liveArrays(m);
                }
            }
            live[1] = liveArrays(m);
            assertEquals(before, live[0], "live arrays before and after one call");
            assertEquals(before, live[1], "live arrays before and after 1,001 calls");
        }
    }
}
