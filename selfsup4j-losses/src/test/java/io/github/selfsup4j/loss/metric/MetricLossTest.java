package io.github.selfsup4j.loss.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import io.github.selfsup4j.loss.contrastive.SupConLoss;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.GradCheck;
import io.github.selfsup4j.testing.MetricReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The labelled-form metric losses: hand-worked values, SupCon against NT-Xent, edge cases and bad
 * input. (References, gradients, dtypes and DJL's evaluate: {@code LossContractTest} through
 * {@code Cases}.)
 */
class MetricLossTest {

    static NDManager manager;

    /** 1-D points 0, 1, 3 with labels A, A, B: exact Euclidean distances 1, 3, 2. */
    static final Arr LINE = Arr.mat(new double[][] {{0}, {1}, {3}});
    static final Arr LINE_LABELS = Arr.ints(0, 0, 1);
    static final Map<String, Object> RAW = Map.of("distance", "euclidean",
            "normalize_embeddings", false);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> o = new LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            o.put((String) kv[i], kv[i + 1]);
        }
        return o;
    }

    static LossOutput forward(String loss, Map<String, Object> options, Arr x, Arr y) {
        return LossRegistry.create(loss, options).forward(Map.of(
                "embeddings", x.nd(manager, DataType.FLOAT64), "labels", y.nd(manager,
                        DataType.FLOAT64)));
    }

    static double value(String loss, Map<String, Object> options, Arr x, Arr y) {
        return forward(loss, options, x, y).value().getDouble();
    }

    @Test
    void tripletByHandOnALineWithBothReductionsAndSwap() {
        // triplets (0,1,2): d_ap 1, d_an 3; (1,0,2): d_ap 1, d_an 2. margin 1.5: 0 and 0.5
        Map<String, Object> o = with(RAW, "margin", 1.5);
        assertEquals(0.25, value("triplet", with(o, "reduction", "mean"), LINE, LINE_LABELS),
                1e-12);
        assertEquals(0.5, value("triplet", o, LINE, LINE_LABELS), 1e-12, "mean over non-zero");
        // swap: (0,1,2) uses min(d_an 3, d_pn 2) = 2 -> 0.5; (1,0,2) min(2, 3) -> 0.5
        assertEquals(0.5, value("triplet", with(o, "swap", true, "reduction", "mean"), LINE,
                LINE_LABELS), 1e-12);
    }

    @Test
    void tripletOnCosineSimilarityByHand() {
        // a = (1,0), p = (0,1), n = (-1,0): s_ap 0, s_an -1, s_pn 0.
        // (0,1,2): max(0, s_an - s_ap + 0.5) = 0; (1,0,2): max(0, 0 - 0 + 0.5) = 0.5
        Arr x = Arr.mat(new double[][] {{1, 0}, {0, 1}, {-1, 0}});
        Map<String, Object> o = Map.of("distance", "cosine", "margin", 0.5);
        assertEquals(0.5, value("triplet", o, x, LINE_LABELS), 1e-12);
        assertEquals(0.25, value("triplet", with(o, "reduction", "mean"), x, LINE_LABELS), 1e-12);
    }

    @Test
    void contrastiveByHandWithComponents() {
        // positive pairs (0,1), (1,0): d 1 -> max(0, 1 - 0.5) = 0.5 each;
        // negative pairs (0,2), (1,2), (2,0), (2,1): d 3, 2, 3, 2 -> max(0, 2.5 - d) = 0, .5, 0, .5
        Map<String, Object> o = with(RAW, "pos_margin", 0.5, "neg_margin", 2.5);
        LossOutput out = forward("contrastive", o, LINE, LINE_LABELS);
        assertEquals(1.0, out.value().getDouble(), 1e-12);
        assertEquals(0.5, out.components().get("pos_loss").getDouble(), 1e-12);
        assertEquals(0.5, out.components().get("neg_loss").getDouble(), 1e-12);
        assertEquals(0.75, value("contrastive", with(o, "reduction", "mean"), LINE, LINE_LABELS),
                1e-12);
    }

    @Test
    void supConByHand() {
        // τ = 1, z0 = (1,0), z1 = (0,1), z2 = (1,0); labels A, A, B.
        // anchor 0: -log(e^0 / (e^0 + e^1)); anchor 1: -log(e^0 / (e^0 + e^0)); anchor 2 has
        // no positive and is left out
        Arr x = Arr.mat(new double[][] {{2, 0}, {0, 3}, {1, 0}});
        double expected = (Math.log(1 + Math.E) + Math.log(2)) / 2;
        assertEquals(expected, value("supcon", Map.of("temperature", 1.0), x, LINE_LABELS),
                1e-12);
    }

    @Test
    void multiSimilarityByHand() {
        // cosine, s01 = 0, s02 = 1, s12 = 0; α 2, β 50, λ 0.5. Anchor 0: (1/2)log(1+e^{2·0.5})
        // + (1/50)log(1+e^{50·0.5}); anchor 1: (1/2)log(1+e) + (1/50)log(1+e^{-25});
        // anchor 2 (no positive): (1/50)log(1 + e^{25} + e^{-25})
        Arr x = Arr.mat(new double[][] {{1, 0}, {0, 1}, {1, 0}});
        double expected = (Math.log(1 + Math.E) / 2 + Math.log(1 + Math.exp(25)) / 50
                + Math.log(1 + Math.E) / 2 + Math.log(1 + Math.exp(-25)) / 50
                + Math.log(1 + Math.exp(25) + Math.exp(-25)) / 50) / 3;
        assertEquals(expected, value("multi-similarity", Map.of(), x, LINE_LABELS), 1e-12);
    }

    @Test
    void supConWithOneLabelPerSampleAndTwoViewsIsNtXent() {
        Random r = new Random(5);
        Arr zi = Arr.gaussian(r, 5, 4);
        Arr zj = Arr.gaussian(r, 5, 4);
        double[][] both = new double[10][];
        long[] y = new long[10];
        for (int i = 0; i < 5; i++) {
            both[i] = zi.matrix()[i];
            both[i + 5] = zj.matrix()[i];
            y[i] = i;
            y[i + 5] = i;
        }
        Arr stacked = Arr.mat(both);
        SelfSupLoss supcon = SupConLoss.builder().optTemperature(0.1).build();
        SelfSupLoss ntXent = NtXentLoss.builder().optTemperature(0.1).build();
        Map<String, Arr> sIn = new LinkedHashMap<>();
        sIn.put("embeddings", stacked);
        sIn.put("labels", Arr.ints(y));
        Map<String, Arr> nIn = new LinkedHashMap<>();
        nIn.put("z_i", zi);
        nIn.put("z_j", zj);
        double s = GradCheck.value(m -> supcon.forward(m).value(), sIn);
        double n = GradCheck.value(m -> ntXent.forward(m).value(), nIn);
        assertEquals(n, s, 1e-12);
        double[] gs = GradCheck.autograd(m -> supcon.forward(m).value(), sIn, DataType.FLOAT64)
                .get("embeddings");
        Map<String, double[]> gn = GradCheck.autograd(m -> ntXent.forward(m).value(), nIn,
                DataType.FLOAT64);
        double[] gnBoth = new double[gs.length];
        System.arraycopy(gn.get("z_i"), 0, gnBoth, 0, 20);
        System.arraycopy(gn.get("z_j"), 0, gnBoth, 20, 20);
        assertArrayEquals(gnBoth, gs, 1e-12);
    }

    @Test
    void noMinedTripletGivesZeroWithZeroGradient() {
        // semi-hard with a tiny margin finds nothing on the line (margins are 2 and 1)
        Map<String, Arr> in = new LinkedHashMap<>();
        in.put("embeddings", LINE);
        in.put("labels", LINE_LABELS);
        SelfSupLoss loss = LossRegistry.create("triplet", with(RAW, "miner", "semi-hard",
                "miner_margin", 0.01));
        Map<String, double[]> g = GradCheck.autograd(m -> {
            NDArray v = loss.forward(m).value();
            assertEquals(0.0, v.getDouble());
            return v;
        }, in, DataType.FLOAT64);
        assertArrayEquals(new double[3], g.get("embeddings"));
    }

    @Test
    void zeroAndCoincidentEmbeddingsGiveFiniteValuesAndGradients() {
        Arr x = Arr.mat(new double[][] {{0, 0}, {0, 0}, {1, 2}, {1, 2}, {0, 0}});
        Arr y = Arr.ints(0, 0, 1, 1, 2);
        for (String loss : new String[] {"triplet", "contrastive", "supcon", "multi-similarity"}) {
            for (Map<String, Object> o : new Map[] {Map.of(), RAW}) {
                if (!o.isEmpty() && (loss.equals("supcon") || loss.equals("multi-similarity"))) {
                    continue;
                }
                Map<String, Arr> in = new LinkedHashMap<>();
                in.put("embeddings", x);
                in.put("labels", y);
                SelfSupLoss l = LossRegistry.create(loss, o);
                Map<String, double[]> g = GradCheck.autograd(m -> {
                    NDArray v = l.forward(m).value();
                    assertTrue(Double.isFinite(v.getFloat()), loss + " " + v);
                    return v;
                }, in, DataType.FLOAT32);
                GradCheck.assertFinite(g);
            }
        }
    }

    @Test
    void supConAtTinyTemperatureStaysFiniteAndAccurateInFloat32() {
        Random r = new Random(4);
        Arr x = Arr.gaussian(r, 12, 8);
        long[] y = new long[12];
        for (int i = 0; i < 12; i++) {
            y[i] = i % 4;
        }
        for (double tau : new double[] {0.01, 0.001}) {
            Map<String, Arr> in = new LinkedHashMap<>();
            in.put("embeddings", x);
            in.put("labels", Arr.ints(y));
            SelfSupLoss l = LossRegistry.create("supcon", Map.of("temperature", tau));
            double[] v = new double[1];
            GradCheck.assertFinite(GradCheck.autograd(m -> {
                NDArray out = l.forward(m).value();
                v[0] = out.getFloat();
                return out;
            }, in, DataType.FLOAT32));
            double ref = MetricReference.supCon(x.matrix(), y, tau);
            assertEquals(ref, v[0], 1e-4 * Math.max(1, ref), "τ " + tau);
        }
    }

    @Test
    void supConAcceptsOneClassButNotABatchWithoutPositives() {
        Arr x = Arr.mat(new double[][] {{1, 0}, {0, 1}, {1, 1}});
        double oneClass = value("supcon", Map.of(), x, Arr.ints(4, 4, 4));
        assertTrue(Double.isFinite(oneClass) && oneClass > 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> value("supcon", Map.of(), x, Arr.ints(0, 1, 2)));
        assertTrue(e.getMessage().contains("supcon") && e.getMessage().contains("labels"),
                e.getMessage());
    }

    @Test
    void rejectsBadBatchesNamingArgumentAndValue() {
        for (String loss : new String[] {"triplet", "contrastive", "multi-similarity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> value(loss, Map.of(), LINE, Arr.ints(0, 0)));
            assertTrue(e.getMessage().contains(loss) && e.getMessage().contains("labels")
                    && e.getMessage().contains("(2)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> value(loss, Map.of(), LINE, Arr.ints(7, 7, 7)));
            assertTrue(e.getMessage().contains("two classes") && e.getMessage().contains("7"),
                    e.getMessage());
            Arr nan = Arr.mat(new double[][] {{0}, {Double.NaN}, {3}});
            e = assertThrows(IllegalArgumentException.class,
                    () -> value(loss, Map.of(), nan, LINE_LABELS));
            assertTrue(e.getMessage().contains("embeddings") && e.getMessage().contains("NaN"),
                    e.getMessage());
        }
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> value("triplet", Map.of("p", 1.0), LINE, LINE_LABELS));
        assertTrue(p.getMessage().contains("p applies") && p.getMessage().contains("1.0"),
                p.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.create("triplet", Map.of()).forward(Map.of(
                        "embeddings", LINE.nd(manager, DataType.FLOAT64),
                        "anchor", LINE.nd(manager, DataType.FLOAT64))));
        assertTrue(e.getMessage().contains("either"), e.getMessage());
    }

    @Test
    void rejectsBadOptionsNamingThem() {
        for (Object[] bad : new Object[][] {{"triplet", "miner", "hardest"},
                {"triplet", "distance", "manhattan"}, {"contrastive", "reduction", "median"},
                {"contrastive", "neg_margin", Double.NaN}, {"multi-similarity", "base",
                        Double.POSITIVE_INFINITY}, {"triplet", "miner_margin", -1.0},
                {"supcon", "miner", "all"}}) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put((String) bad[1], bad[2]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossRegistry.create((String) bad[0], o), bad[1] + "=" + bad[2]);
            assertTrue(e.getMessage().contains(String.valueOf(bad[2]))
                    || e.getMessage().contains((String) bad[1]), e.getMessage());
        }
    }
}
