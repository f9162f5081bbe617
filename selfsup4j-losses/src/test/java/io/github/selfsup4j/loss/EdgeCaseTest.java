package io.github.selfsup4j.loss;

import io.github.selfsup4j.loss.registry.LossRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.GradCheck;
import io.github.selfsup4j.testing.Reference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Edge cases from the quality bar: zero vectors, identical views, tiny temperature, a batch of
 * one, no valid pairs, constant feature columns and saturated logits give finite values and
 * gradients, or a clear error.
 */
class EdgeCaseTest {

    static Map<String, Arr> in(Object... kv) {
        Map<String, Arr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Arr) kv[i + 1]);
        }
        return m;
    }

    /** Value and all gradients finite, in float32 (where overflow would show). */
    static double finiteIn32(String loss, Map<String, Object> options, Map<String, Arr> in) {
        SelfSupLoss l = LossRegistry.create(loss, options);
        double[] value = new double[1];
        Map<String, double[]> g = GradCheck.autograd(m -> {
            NDArray v = l.forward(m).value();
            value[0] = v.getFloat();
            return v;
        }, in, DataType.FLOAT32);
        assertTrue(Double.isFinite(value[0]), loss + " value " + value[0]);
        GradCheck.assertFinite(g);
        return value[0];
    }

    static Arr withZeroRow(Arr a) {
        double[] d = a.data.clone();
        for (int j = 0; j < a.cols(); j++) {
            d[j] = 0;
        }
        return Arr.of(a.shape, d);
    }

    @Test
    void tinyTemperatureDoesNotOverflowAndStaysAccurate() {
        Random r = new Random(1);
        Arr zi = Arr.gaussian(r, 8, 16);
        Arr zj = Arr.gaussian(r, 8, 16);
        for (double tau : new double[] {0.01, 0.001}) {
            double v = finiteIn32("nt-xent", Map.of("temperature", tau), in("z_i", zi, "z_j", zj));
            double ref = Reference.ntXent(zi.matrix(), zj.matrix(), tau, 1);
            assertEquals(ref, v, 1e-4 * Math.max(1, ref), "nt-xent τ=" + tau);
            double w = finiteIn32("info-nce", Map.of("temperature", tau),
                    in("query", zi, "key", zj, "queue", Arr.gaussian(r, 32, 16)));
            assertTrue(w >= 0);
            double h = finiteIn32("hcl", Map.of("temperature", tau), in("out_1", zi, "out_2", zj));
            assertTrue(h >= 0);
        }
        // the HCL reference in doubles still works at τ = 0.01 (e^100): compare
        double h = finiteIn32("hcl", Map.of("temperature", 0.01), in("out_1", zi, "out_2", zj));
        double ref = Reference.hcl(zi.matrix(), zj.matrix(), 0.01, 0.1, 1.0, true, true);
        assertEquals(ref, h, 1e-4 * Math.max(1, ref));
    }

    @Test
    void zeroVectorsGiveFiniteGradients() {
        Random r = new Random(2);
        Arr a = withZeroRow(Arr.gaussian(r, 4, 3));
        Arr b = withZeroRow(Arr.gaussian(r, 4, 3));
        finiteIn32("nt-xent", Map.of(), in("z_i", a, "z_j", b));
        finiteIn32("info-nce", Map.of(), in("query", a, "key", b, "queue", a));
        finiteIn32("hcl", Map.of(), in("out_1", a, "out_2", b));
        finiteIn32("vicreg", Map.of(), in("z_i", a, "z_j", b));
        finiteIn32("barlow-twins", Map.of(), in("z1", a, "z2", b));
        finiteIn32("contrastive", Map.of(), in("x1", a, "x2", b, "label", Arr.ints(0, 1, 0, 1)));
        finiteIn32("triplet", Map.of(), in("anchor", a, "positive", b, "negative", a));
        Arr zeros = Arr.mat(new double[4][3]);
        finiteIn32("nt-xent", Map.of(), in("z_i", zeros, "z_j", zeros));
        finiteIn32("triplet", Map.of(), in("anchor", zeros, "positive", zeros, "negative", zeros));
    }

    @Test
    void identicalViewsAndAnchorEqualToPositive() {
        Random r = new Random(3);
        Arr a = Arr.gaussian(r, 5, 4);
        finiteIn32("nt-xent", Map.of(), in("z_i", a, "z_j", a));
        finiteIn32("hcl", Map.of(), in("out_1", a, "out_2", a));
        double inv = LossRegistry.create("vicreg", Map.of())
                .forward(GradCheck.toNd(ai.djl.ndarray.NDManager.newBaseManager(),
                        in("z_i", a, "z_j", a), DataType.FLOAT32))
                .components().get("invariance").getFloat();
        assertEquals(0f, inv);
        // x1 == x2: similar pairs cost 0, dissimilar pairs cost m², gradient finite
        double c = finiteIn32("contrastive", Map.of(), in("x1", a, "x2", a,
                "label", Arr.ints(1, 0, 1, 0, 0)));
        assertEquals(3.0 / 5, c, 1e-6);
        // anchor == positive: d(a,p) ≈ 0, finite gradient
        finiteIn32("triplet", Map.of(), in("anchor", a, "positive", a,
                "negative", Arr.gaussian(r, 5, 4)));
        finiteIn32("triplet", Map.of("p", 1), in("anchor", a, "positive", a, "negative", a));
    }

    @Test
    void constantFeatureColumn() {
        Random r = new Random(4);
        double[][] m = Arr.gaussian(r, 6, 3).matrix();
        double[][] n = Arr.gaussian(r, 6, 3).matrix();
        for (int i = 0; i < 6; i++) {
            m[i][1] = 0.7;
            n[i][2] = -2;
        }
        Arr a = Arr.mat(m);
        Arr b = Arr.mat(n);
        double v = finiteIn32("vicreg", Map.of(), in("z_i", a, "z_j", b));
        assertEquals(Reference.vicreg(m, n, 25, 25, 1, 1e-4)[0], v, 1e-4 * v);
        double w = finiteIn32("barlow-twins", Map.of(), in("z1", a, "z2", b));
        assertEquals(Reference.barlowTwins(m, n, 0.0051)[0], w, 1e-4 * w);
    }

    @Test
    void batchOfOne() {
        Arr one = Arr.mat(new double[][] {{1, 2, 3}});
        Arr other = Arr.mat(new double[][] {{-1, 0, 2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("nt-xent", Map.of(), in("z_i", one, "z_j", other)));
        assertTrue(e.getMessage().contains("at least 2 samples") && e.getMessage().contains("N=1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("hcl", Map.of(), in("out_1", one, "out_2", other)));
        assertTrue(e.getMessage().contains("out_1") && e.getMessage().contains("got 1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("vicreg", Map.of(), in("z_i", one, "z_j", other)));
        assertTrue(e.getMessage().contains("unbiased variance"), e.getMessage());
        // with pairs_per_sample 2, two rows are still one sample
        Arr two = Arr.mat(new double[][] {{1, 2, 3}, {3, 2, 1}});
        e = assertThrows(IllegalArgumentException.class, () -> finiteIn32("nt-xent",
                Map.of("pairs_per_sample", 2), in("z_i", two, "z_j", two)));
        assertTrue(e.getMessage().contains("N=1"), e.getMessage());
        // losses defined for one sample stay finite
        double bt = finiteIn32("barlow-twins", Map.of(), in("z1", one, "z2", other));
        assertEquals(3.0, bt, 1e-6, "normalised single rows are zero: C = 0, on-diagonal = D");
        finiteIn32("info-nce", Map.of(), in("query", one, "key", other));
        finiteIn32("contrastive", Map.of(), in("x1", one, "x2", other, "label", Arr.ints(0)));
        finiteIn32("triplet", Map.of(), in("anchor", one, "positive", other, "negative", one));
    }

    @Test
    void noValidPairs() {
        // All contrastive pairs similar, or all dissimilar beyond the margin: finite, and 0 in
        // the second case with zero gradient.
        Arr a = Arr.mat(new double[][] {{0, 0}, {1, 1}});
        Arr b = Arr.mat(new double[][] {{5, 5}, {-4, 1}});
        assertEquals(0.0, finiteIn32("contrastive", Map.of(), in("x1", a, "x2", b,
                "label", Arr.ints(0, 0))), 0);
        // every triplet already satisfied: zero loss
        assertEquals(0.0, finiteIn32("triplet", Map.of(), in("anchor", a, "positive", a,
                "negative", b)), 0);
        // nt-xent with pairs_per_sample = rows: one sample, no negatives: a clear error
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("nt-xent", Map.of("pairs_per_sample", 2), in("z_i", a, "z_j", b)));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        // rows not a multiple of pairs_per_sample
        e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("nt-xent", Map.of("pairs_per_sample", 3), in("z_i", a, "z_j", b)));
        assertTrue(e.getMessage().contains("pairs_per_sample=3"), e.getMessage());
    }

    @Test
    void saturatedLogitsAndProbabilities() {
        double v = finiteIn32("gan-bce", Map.of(), in("real_logits", Arr.vec(-1000, 1000),
                "fake_logits", Arr.vec(1000, -1000)));
        assertEquals(1000.0, v, 1e-3);
        double p = finiteIn32("gan-bce", Map.of("from_logits", false),
                in("real_logits", Arr.vec(0, 1), "fake_logits", Arr.vec(1, 0)));
        assertTrue(p > 80 && p <= 100, "log clamp, got " + p);
        double ce = finiteIn32("cross-entropy", Map.of(), in("logits",
                Arr.mat(new double[][] {{1e4, -1e4}}), "target", Arr.ints(1)));
        assertEquals(2e4, ce, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("gan-bce", Map.of("from_logits", false),
                        in("real_logits", Arr.vec(1.5), "fake_logits", Arr.vec(0.5))));
        assertTrue(e.getMessage().contains("[0, 1]") && e.getMessage().contains("1.5"));
    }

    @Test
    void labelsOutOfRangeAreNamed() {
        Arr logits = Arr.mat(new double[][] {{1, 2, 3}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> finiteIn32("cross-entropy", Map.of(), in("logits", logits,
                        "target", Arr.ints(3))));
        assertTrue(e.getMessage().contains("target") && e.getMessage().contains("got 3"));
        e = assertThrows(IllegalArgumentException.class, () -> finiteIn32("hinge", Map.of(),
                in("scores", Arr.vec(1), "labels", Arr.ints(0))));
        assertTrue(e.getMessage().contains("-1 or +1"));
        e = assertThrows(IllegalArgumentException.class, () -> finiteIn32("contrastive", Map.of(),
                in("x1", logits, "x2", logits, "label", Arr.ints(2))));
        assertTrue(e.getMessage().contains("label"));
        // float labels where integers are required
        e = assertThrows(IllegalArgumentException.class, () -> finiteIn32("nll", Map.of(),
                in("log_probs", logits, "target", Arr.vec(0))));
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
    }
}
