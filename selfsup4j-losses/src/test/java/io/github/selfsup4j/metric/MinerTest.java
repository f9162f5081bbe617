package io.github.selfsup4j.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.loss.registry.LossRegistry;
import io.github.selfsup4j.testing.Arr;
import io.github.selfsup4j.testing.MetricReference;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Miners against brute-force enumeration on random batches, hand-worked cases on points of a line
 * (exact distances, ties included), PML's semantics at the boundaries, and bad input.
 */
class MinerTest {

    static NDManager manager;

    /** Points on a line: A at 0, 1, 4; B at 2, 6; C (alone) at 100. */
    static final double[][] LINE = {{0}, {1}, {4}, {2}, {6}, {100}};
    static final long[] LINE_LABELS = {0, 0, 0, 1, 1, 2};

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static NDArray nd(double[][] x) {
        return Arr.mat(x).nd(manager, DataType.FLOAT64);
    }

    static NDArray nd(long[] y) {
        return manager.create(y);
    }

    static Miner miner(String name, Object... options) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            o.put((String) options[i], options[i + 1]);
        }
        return LossRegistry.miner(name, o);
    }

    static Triplets lineTriplets(String name, Object... extra) {
        Object[] o = new Object[extra.length + 4];
        o[0] = "distance";
        o[1] = "euclidean";
        o[2] = "normalize_embeddings";
        o[3] = false;
        System.arraycopy(extra, 0, o, 4, extra.length);
        return (Triplets) miner(name, o).mine(nd(LINE), nd(LINE_LABELS));
    }

    static void assertTriplets(int[][] expected, Triplets got) {
        int[][] rows = new int[got.size()][];
        for (int t = 0; t < got.size(); t++) {
            rows[t] = new int[] {got.anchors()[t], got.positives()[t], got.negatives()[t]};
        }
        assertEquals(expected.length, rows.length, java.util.Arrays.deepToString(rows));
        for (int t = 0; t < rows.length; t++) {
            assertArrayEquals(expected[t], rows[t], "triplet " + t);
        }
    }

    @Test
    void batchHardByHandTakesFarthestPositiveNearestNegativeLowestIndexOnTiesAndSkipsLoners() {
        // anchor 2 (x=4): negatives 3 (x=2) and 4 (x=6) tie at 2 -> index 3; anchor 5 has no
        // positive and is skipped
        assertTriplets(new int[][] {{0, 2, 3}, {1, 2, 3}, {2, 0, 3}, {3, 4, 1}, {4, 3, 2}},
                lineTriplets("batch-hard"));
    }

    @Test
    void semiHardByHandKeepsZeroBelowMarginInclusiveAndDropsZeroMargin() {
        // m = d_an - d_ap: (0,1,3) has 2-1 = 1 and (4,3,1) 5-4 = 1, both = margin (kept, PML's
        // <=); (1,0,3) has 1-1 = 0 (dropped, PML's > 0); (0,2,4) has 2 > margin
        assertTriplets(new int[][] {{0, 1, 3}, {4, 3, 1}},
                lineTriplets("semi-hard", "margin", 1.0));
        assertTriplets(new int[][] {}, lineTriplets("semi-hard", "margin", 0.5));
    }

    @Test
    void hardByHandKeepsNegativesNoFartherThanThePositive() {
        assertTriplets(new int[][] {{0, 2, 3}, {1, 0, 3}, {1, 2, 3}, {2, 0, 3}, {2, 0, 4},
                {2, 1, 3}, {2, 1, 4}, {3, 4, 0}, {3, 4, 1}, {3, 4, 2}, {4, 3, 2}},
                lineTriplets("hard"));
    }

    @Test
    void allKeepsEveryValidTripletAndAllPairsAreEveryPair() {
        Triplets t = lineTriplets("all");
        // A: 3 anchors x 2 positives x 3 negatives; B: 2 x 1 x 4
        assertEquals(3 * 2 * 3 + 2 * 4, t.size());
        Pairs p = miner("all").minePairs(nd(LINE), nd(LINE_LABELS));
        assertEquals(3 * 2 + 2, p.positives().length);
        assertEquals(6 * 6 - 3 * 3 - 2 * 2 - 1, p.negatives().length);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 3, 4}, p.positiveAnchors());
        assertArrayEquals(new int[] {1, 2, 0, 2, 0, 1, 4, 3}, p.positives());
    }

    @Test
    void multiSimilarityByHandOnDistances() {
        // ε = 0.5: positive kept when d_ap + ε > min d_an, negative when d_an - ε < max d_ap;
        // each anchor's pairs in ascending distance, ties by index; C (alone) has none
        Pairs p = (Pairs) miner("multi-similarity", "distance", "euclidean",
                "normalize_embeddings", false, "epsilon", 0.5).mine(nd(LINE), nd(LINE_LABELS));
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 3, 4}, p.positiveAnchors());
        assertArrayEquals(new int[] {2, 0, 2, 1, 0, 4, 3}, p.positives());
        assertArrayEquals(new int[] {0, 1, 2, 2, 3, 3, 3, 4}, p.negativeAnchors());
        assertArrayEquals(new int[] {3, 3, 3, 4, 1, 0, 2, 2}, p.negatives());
    }

    @Test
    void multiSimilarityOnCosineSimilarityHandlesTheInvertedDirection() {
        // unit vectors: anchor 0 at 0°, positive 1 at 80°, positive 2 at 10°, negative 3 at
        // 30°, negative 4 at 180°. cos: s01 = .174, s02 = .985, s03 = .866, s04 = -1
        double[][] x = new double[5][];
        double[] deg = {0, 80, 10, 30, 180};
        for (int i = 0; i < 5; i++) {
            x[i] = new double[] {Math.cos(Math.toRadians(deg[i])), Math.sin(Math.toRadians(deg[i]))};
        }
        Pairs p = (Pairs) miner("multi-similarity").mine(nd(x), nd(new long[] {0, 0, 0, 1, 1}));
        // anchor 0: positive 1 is hard (0.174 - 0.1 < max s_an = 0.866), positive 2 is not
        // (0.885 > 0.866); negative 3 is hard (0.966 > min s_ap = 0.174), negative 4 is not.
        // PML orders a row by ascending similarity.
        assertEquals(0, p.positiveAnchors()[0]);
        assertEquals(1, p.positives()[0]);
        assertTrue(p.positiveAnchors().length < 2 || p.positiveAnchors()[1] != 0);
        assertEquals(0, p.negativeAnchors()[0]);
        assertEquals(3, p.negatives()[0]);
        assertTrue(p.negativeAnchors().length < 2 || p.negativeAnchors()[1] != 0);
    }

    @Test
    void tripletMinersEqualBruteForceOnRandomBatches() {
        Random r = new Random(42);
        for (int trial = 0; trial < 30; trial++) {
            int n = 5 + r.nextInt(8);
            int d = 2 + r.nextInt(3);
            double[][] x = Arr.gaussian(r, n, d).matrix();
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = i < 4 ? i % 2 : r.nextInt(3);
            }
            String distance = trial % 3 == 0 ? "cosine" : "euclidean";
            boolean normalize = trial % 3 != 2;
            double margin = 0.1 + r.nextDouble();
            double[][] m = MetricReference.matrix(x, distance, normalize);
            for (String name : List.of("all", "hard", "semi-hard", "batch-hard")) {
                Triplets got = (Triplets) miner(name, "distance", distance,
                        "normalize_embeddings", normalize, "margin", margin).mine(nd(x), nd(y));
                List<int[]> want = MetricReference.triplets(m, y, name, distance, margin);
                assertTriplets(want.toArray(new int[0][]), got);
            }
        }
    }

    @Test
    void multiSimilarityEqualsBruteForceOnRandomBatches() {
        Random r = new Random(7);
        int nonEmpty = 0;
        for (int trial = 0; trial < 30; trial++) {
            int n = 5 + r.nextInt(8);
            double[][] x = Arr.gaussian(r, n, 3).matrix();
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = i < 4 ? i % 2 : r.nextInt(3);
            }
            String distance = trial % 2 == 0 ? "cosine" : "euclidean";
            double eps = r.nextDouble() * 0.3;
            double[][] m = MetricReference.matrix(x, distance, true);
            Pairs got = (Pairs) miner("multi-similarity", "distance", distance, "epsilon", eps)
                    .mine(nd(x), nd(y));
            List<List<int[]>> want = MetricReference.multiSimilarityPairs(m, y, distance, eps);
            assertPairs(want.get(0), got.positiveAnchors(), got.positives());
            assertPairs(want.get(1), got.negativeAnchors(), got.negatives());
            nonEmpty += got.positives().length > 0 && got.negatives().length > 0 ? 1 : 0;
        }
        assertTrue(nonEmpty > 20, "the cases mine something: " + nonEmpty);
    }

    static void assertPairs(List<int[]> want, int[] anchors, int[] partners) {
        assertEquals(want.size(), anchors.length);
        for (int i = 0; i < anchors.length; i++) {
            assertArrayEquals(want.get(i), new int[] {anchors[i], partners[i]}, "pair " + i);
        }
    }

    @Test
    void pairsBecomeTripletsPerAnchorAndTripletsBecomePairs() {
        Pairs p = new Pairs(new int[] {0, 0, 1}, new int[] {1, 2, 0}, new int[] {1, 0, 0},
                new int[] {5, 3, 4});
        Triplets t = p.triplets();
        assertArrayEquals(new int[] {0, 0, 0, 0, 1}, t.anchors());
        assertArrayEquals(new int[] {1, 1, 2, 2, 0}, t.positives());
        assertArrayEquals(new int[] {3, 4, 3, 4, 5}, t.negatives());
        Pairs back = t.pairs();
        assertArrayEquals(t.anchors(), back.positiveAnchors());
        assertArrayEquals(t.negatives(), back.negatives());
    }

    @Test
    void miningIsDeterministicAndDoesNotTouchTheGraph() {
        Random r = new Random(3);
        double[][] x = Arr.gaussian(r, 9, 4).matrix();
        long[] y = {0, 1, 2, 0, 1, 2, 0, 1, 2};
        NDArray e = nd(x);
        e.setRequiresGradient(true);
        Triplets a = miner("semi-hard", "margin", 0.5).mineTriplets(e, nd(y));
        Triplets b = miner("semi-hard", "margin", 0.5).mineTriplets(e, nd(y));
        assertArrayEquals(a.anchors(), b.anchors());
        assertArrayEquals(a.negatives(), b.negatives());
    }

    @Test
    void halfPrecisionEmbeddingsAreMinedInFloat32() {
        Triplets t = miner("batch-hard", "distance", "euclidean", "normalize_embeddings", false)
                .mineTriplets(nd(LINE).toType(DataType.FLOAT16, false), nd(LINE_LABELS));
        assertArrayEquals(lineTriplets("batch-hard").negatives(), t.negatives());
        assertArrayEquals(lineTriplets("batch-hard").positives(), t.positives());
    }

    @Test
    void rejectsBadBatchesNamingArgumentAndValue() {
        Miner m = miner("batch-hard");
        double[][] x = {{0, 1}, {1, 0}, {1, 1}, {2, 2}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.mine(nd(x), nd(new long[] {0, 0, 1})));
        assertTrue(e.getMessage().contains("labels") && e.getMessage().contains("(3)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.mine(nd(x), nd(new long[] {5, 5, 5, 5})));
        assertTrue(e.getMessage().contains("two classes") && e.getMessage().contains("5"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.mine(nd(x), nd(new long[] {0, 1, 2, 3})));
        assertTrue(e.getMessage().contains("positive") && e.getMessage().contains("4 distinct"),
                e.getMessage());
        double[][] bad = {{0, 1}, {1, Double.NaN}, {1, 1}, {2, 2}};
        e = assertThrows(IllegalArgumentException.class,
                () -> m.mine(nd(bad), nd(new long[] {0, 0, 1, 1})));
        assertTrue(e.getMessage().contains("embeddings") && e.getMessage().contains("NaN")
                && e.getMessage().contains("row 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.mine(nd(x), manager.create(new float[] {0, 0, 1, 1})));
        assertTrue(e.getMessage().contains("labels") && e.getMessage().contains("integer"),
                e.getMessage());
    }

    @Test
    void rejectsBadOptionsNamingThem() {
        for (Object[] bad : new Object[][] {{"semi-hard", "margin", 0.0, "margin"},
                {"multi-similarity", "epsilon", -0.1, "epsilon"},
                {"batch-hard", "distance", "manhattan", "manhattan"},
                {"all", "normalise", true, "normalise"},
                {"batch-hard", "distance", "cosine", "normalize_embeddings"}}) {
            Map<String, Object> o = new java.util.HashMap<>();
            o.put((String) bad[1], bad[2]);
            if (bad[1].equals("distance") && bad[2].equals("cosine")) {
                o.put("normalize_embeddings", false);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LossRegistry.miner((String) bad[0], o));
            assertTrue(e.getMessage().contains((String) bad[3]), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossRegistry.miner("hardest", Map.of()));
        assertTrue(e.getMessage().contains("hardest") && e.getMessage().contains("batch-hard"));
    }
}
