package io.github.selfsup4j.loss;

import io.github.selfsup4j.loss.registry.LossRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.testing.Arr;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tiny cases whose values were worked out by hand (the derivation is in each comment). */
class HandComputedTest {

    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static double loss(String name, Map<String, Object> options, Object... namesAndArrs) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (int i = 0; i < namesAndArrs.length; i += 2) {
            in.put((String) namesAndArrs[i], ((Arr) namesAndArrs[i + 1]).nd(manager,
                    DataType.FLOAT64));
        }
        return LossRegistry.create(name, options).forward(in).value().getDouble();
    }

    static double component(String name, String key, Object... namesAndArrs) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (int i = 0; i < namesAndArrs.length; i += 2) {
            in.put((String) namesAndArrs[i], ((Arr) namesAndArrs[i + 1]).nd(manager,
                    DataType.FLOAT64));
        }
        return LossRegistry.create(name, Map.of()).forward(in).components().get(key).getDouble();
    }

    static final Arr E12 = Arr.mat(new double[][] {{1, 0}, {0, 1}});

    @Test
    void ntXentOrthogonalSamples() {
        // Rows e1, e2 in both views, τ = 1: each row sees its partner at cosine 1 and the two
        // rows of the other sample at cosine 0: -log(e / (e + 2)) = log(e + 2) - 1.
        double v = loss("nt-xent", Map.of("temperature", 1.0), "z_i", E12, "z_j", E12);
        assertEquals(Math.log(Math.E + 2) - 1, v, 1e-12);
        assertEquals(0.5514447139320509, v, 1e-12);
    }

    @Test
    void infoNceWithQueue() {
        // q = k = e1, queue = {e2, -e1}, τ = 1: logits [1, 0, -1] with the positive first.
        double v = loss("info-nce", Map.of("temperature", 1.0),
                "query", Arr.mat(new double[][] {{1, 0}}), "key", Arr.mat(new double[][] {{1, 0}}),
                "queue", Arr.mat(new double[][] {{0, 1}, {-1, 0}}));
        assertEquals(Math.log(Math.E + 1 + Math.exp(-1)) - 1, v, 1e-12);
    }

    @Test
    void hclHardAndEasyOnOrthogonalSamples() {
        // Each row: p = e, negatives {1, 1} (cosine 0), N = 2. β = 1: reweight = 2 / 1 = 2;
        // Ng = (2 - 0.1·2·e) / 0.9 = 1.61816 > clamp 2/e; loss = -log(e / (e + Ng)).
        double hard = loss("hcl", Map.of("temperature", 1.0), "out_1", E12, "out_2", E12);
        double ng = (2 - 0.1 * 2 * Math.E) / 0.9;
        assertEquals(-Math.log(Math.E / (Math.E + ng)), hard, 1e-12);
        assertEquals(0.46705406295355106, hard, 1e-12);
        // easy: Ng = 1 + 1, the same as NT-Xent.
        double easy = loss("hcl", Map.of("temperature", 1.0, "estimator", "easy"),
                "out_1", E12, "out_2", E12);
        assertEquals(Math.log(Math.E + 2) - 1, easy, 1e-12);
    }

    @Test
    void vicregVarianceOfAConstantColumn() {
        // Column 0 = [1, -1]: unbiased var 2, std 1.414 > 1, no penalty. Column 1 = 0: std =
        // sqrt(1e-4) = 0.01, penalty 0.99. Mean over 2 features = 0.495, same in both views.
        // Views equal: invariance 0; covariance of [[1,0],[-1,0]] has no off-diagonal.
        Arr x = Arr.mat(new double[][] {{1, 0}, {-1, 0}});
        assertEquals(25 * 0.495, loss("vicreg", Map.of(), "z_i", x, "z_j", x), 1e-12);
        assertEquals(0.495, component("vicreg", "variance", "z_i", x, "z_j", x), 1e-12);
        assertEquals(0.0, component("vicreg", "invariance", "z_i", x, "z_j", x), 0);
        assertEquals(0.0, component("vicreg", "covariance", "z_i", x, "z_j", x), 0);
    }

    @Test
    void vicregCovarianceOfCorrelatedFeatures() {
        // x = [[1,1],[-1,-1]]: cov = [[2,2],[2,2]]; off-diagonal squares 2·4 = 8, / D = 4.
        Arr x = Arr.mat(new double[][] {{1, 1}, {-1, -1}});
        assertEquals(8.0, component("vicreg", "covariance", "z_i", x, "z_j", x), 1e-12);
    }

    @Test
    void barlowTwinsOppositeFeatures() {
        // Batch-normalised columns are ±a with a² = 1/(1 + 1e-5). C = [[a², -a²], [a², -a²]]:
        // on = (1 - a²)² + (1 + a²)², off = 2a⁴, loss = on + 0.0051·off.
        Arr z1 = Arr.mat(new double[][] {{1, 1}, {-1, -1}});
        Arr z2 = Arr.mat(new double[][] {{1, -1}, {-1, 1}});
        double a2 = 1 / 1.00001;
        double v = loss("barlow-twins", Map.of(), "z1", z1, "z2", z2);
        assertEquals((1 - a2) * (1 - a2) + (1 + a2) * (1 + a2) + 0.0051 * 2 * a2 * a2, v, 1e-12);
    }

    @Test
    void contrastiveSimilarAndDissimilarPair() {
        // Pair 0 similar at distance 5: 25. Pair 1 dissimilar at distance 0.5: (1 - 0.5)² = 0.25.
        double v = loss("contrastive", Map.of(),
                "x1", Arr.mat(new double[][] {{0, 0}, {0, 0}}),
                "x2", Arr.mat(new double[][] {{3, 4}, {0.3, 0.4}}),
                "label", Arr.ints(1, 0));
        assertEquals((25 + 0.25) / 2, v, 1e-12);
    }

    @Test
    void tripletThreeFourFive() {
        // d(a,p) ≈ 5, d(a,n) ≈ 1 (PyTorch's 1e-6 shift changes the 6th decimal): 5 - 1 + 1 = 5.
        double v = loss("triplet", Map.of(),
                "anchor", Arr.mat(new double[][] {{0, 0}}),
                "positive", Arr.mat(new double[][] {{3, 4}}),
                "negative", Arr.mat(new double[][] {{0, 1}}));
        assertEquals(5.0, v, 1e-5);
        // With swap, d(p,n) = |(3,3)| = 4.24 > 1 keeps d(a,n).
        double s = loss("triplet", Map.of("swap", true),
                "anchor", Arr.mat(new double[][] {{0, 0}}),
                "positive", Arr.mat(new double[][] {{3, 4}}),
                "negative", Arr.mat(new double[][] {{0, 1}}));
        assertEquals(5.0, s, 1e-5);
    }

    @Test
    void ganLossesAtZeroLogits() {
        Arr zero = Arr.vec(0);
        assertEquals(2 * Math.log(2), loss("gan-bce", Map.of(), "real_logits", zero,
                "fake_logits", zero), 1e-12);
        assertEquals(Math.log(2), loss("gan-bce", Map.of("role", "generator"),
                "fake_logits", zero), 1e-12);
        assertEquals(-Math.log(2), loss("gan-bce", Map.of("role", "generator",
                "generator", "saturating"), "fake_logits", zero), 1e-12);
        assertEquals(2 * Math.log(2), loss("gan-bce", Map.of("from_logits", false),
                "real_logits", Arr.vec(0.5), "fake_logits", Arr.vec(0.5)), 1e-12);
    }

    @Test
    void wganAndHingeGan() {
        // critic: mean(fake) - mean(real) = 0.5 - 2; generator: -0.5.
        assertEquals(-1.5, loss("wgan", Map.of(), "real_logits", Arr.vec(1, 3),
                "fake_logits", Arr.vec(0.5)), 1e-12);
        assertEquals(-0.5, loss("wgan", Map.of("role", "generator"),
                "fake_logits", Arr.vec(0.5)), 1e-12);
        // D: mean(relu(1-0.5), relu(1-2)) + mean(relu(1-2), relu(1+0)) = 0.25 + 0.5.
        assertEquals(0.75, loss("hinge-gan", Map.of(), "real_logits", Arr.vec(0.5, 2),
                "fake_logits", Arr.vec(-2, 0)), 1e-12);
    }

    @Test
    void classics() {
        assertEquals(2.5, loss("mse", Map.of(), "input", Arr.vec(1, 2), "target", Arr.vec(0, 0)),
                1e-12);
        Arr logits = Arr.mat(new double[][] {{0, 0}});
        assertEquals(Math.log(2), loss("cross-entropy", Map.of(), "logits", logits,
                "target", Arr.ints(0)), 1e-12);
        // uniform logits: smoothing does not change the value
        assertEquals(Math.log(2), loss("cross-entropy", Map.of("label_smoothing", 0.1),
                "logits", logits, "target", Arr.ints(0)), 1e-12);
        // logits [2, 0]: nll of class 1 = log(1 + e²); smoothing 0.2 mixes in the mean of the
        // two per-class nlls: 0.8·log(1+e²) + 0.2·(log(1+e²) - 1)
        double l1 = Math.log(1 + Math.exp(2));
        assertEquals(0.8 * l1 + 0.2 * (l1 - 1), loss("cross-entropy",
                Map.of("label_smoothing", 0.2), "logits", Arr.mat(new double[][] {{2, 0}}),
                "target", Arr.ints(1)), 1e-12);
        assertEquals(2.0, loss("nll", Map.of(), "log_probs", Arr.mat(new double[][] {{-1, -2}}),
                "target", Arr.ints(1)), 1e-12);
        assertEquals(1.75, loss("hinge", Map.of(), "scores", Arr.vec(0.5, -2),
                "labels", Arr.ints(1, 1)), 1e-12);
    }
}
