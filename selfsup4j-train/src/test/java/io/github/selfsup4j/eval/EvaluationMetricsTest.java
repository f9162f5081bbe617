package io.github.selfsup4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kNN classifier and the linear probe on cases whose answer is known. */
class EvaluationMetricsTest {

    private static float[] angle(double degrees) {
        double r = Math.toRadians(degrees);
        return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
    }

    @Test
    void knnVotesAreWeightedBySimilarity() {
        // two class-0 neighbours at 60° and one class-1 neighbour at 5°: with k = 3 the majority
        // is class 0, but exp(cos 5°/0.07) outweighs 2·exp(cos 60°/0.07), so class 1 wins
        float[][] train = {angle(60), angle(-60), angle(5), angle(180)};
        int[] labels = {0, 0, 1, 2};
        float[][] test = {angle(0)};
        try (NDManager m = NDManager.newBaseManager()) {
            double[] acc = Knn.accuracy(train, labels, test, new int[] {1}, 3,
                    new int[] {1, 3}, 0.07, m);
            assertEquals(1.0, acc[0], "k=1: the nearest is class 1");
            assertEquals(1.0, acc[1], "k=3: the weighted vote is class 1");
            // at a high vote temperature the weights even out and the majority (class 0) wins
            double[] flat = Knn.accuracy(train, labels, test, new int[] {1}, 3,
                    new int[] {3}, 100, m);
            assertEquals(0.0, flat[0]);
        }
    }

    @Test
    void knnUsesCosineNotEuclideanDistance() {
        // the class-1 point is far in Euclidean distance but points the same way as the query
        float[][] train = {{0.5f, 0.5f}, {100f, 1f}};
        int[] labels = {0, 1};
        float[][] test = {{1f, 0.01f}};
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(1.0, Knn.accuracy(train, labels, test, new int[] {1}, 2,
                    new int[] {1}, 0.07, m)[0]);
        }
    }

    private static float[][] blobs(Random r, int n, int[] labels, double spread, double shift) {
        float[][] x = new float[n][3];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(3);
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) ((j == labels[i] ? 4 : 0) + spread * r.nextGaussian() + shift);
            }
        }
        return x;
    }

    @Test
    void probeSeparatesSeparableClassesAndIgnoresFeatureScale() {
        Random r = new Random(3);
        int[] ytr = new int[600];
        int[] yte = new int[300];
        float[][] tr = blobs(r, 600, ytr, 0.5, 0);
        float[][] te = blobs(r, 300, yte, 0.5, 0);
        assertEquals(1.0, LinearProbe.accuracy(tr, ytr, te, yte, 3, 10, 1), 0.0);
        // standardisation makes the probe blind to an affine change of the features
        float[][] tr2 = new float[tr.length][];
        float[][] te2 = new float[te.length][];
        for (int i = 0; i < tr.length; i++) {
            tr2[i] = new float[] {tr[i][0] * 1000 + 7, tr[i][1] * 1000 + 7, tr[i][2] * 1000 + 7};
        }
        for (int i = 0; i < te.length; i++) {
            te2[i] = new float[] {te[i][0] * 1000 + 7, te[i][1] * 1000 + 7, te[i][2] * 1000 + 7};
        }
        assertEquals(1.0, LinearProbe.accuracy(tr2, ytr, te2, yte, 3, 10, 1), 0.0);
    }

    @Test
    void probeCannotLearnLabelsUnrelatedToTheFeatures() {
        Random r = new Random(4);
        int[] ytr = new int[900];
        int[] yte = new int[900];
        float[][] tr = blobs(r, 900, new int[900], 1, 0);
        float[][] te = blobs(r, 900, new int[900], 1, 0);
        for (int i = 0; i < 900; i++) {
            ytr[i] = r.nextInt(3);
            yte[i] = r.nextInt(3);
        }
        double acc = LinearProbe.accuracy(tr, ytr, te, yte, 3, 10, 1);
        assertTrue(acc < 0.42, "random labels must score near chance (1/3), got " + acc);
    }

    @Test
    void probeOnOverlappingClassesMatchesTheBayesRate() {
        // two 1-D Gaussians at ±1 with unit variance: the best classifier scores Φ(1) = 0.8413
        Random r = new Random(5);
        int n = 20000;
        float[][] tr = new float[n][1];
        float[][] te = new float[n][1];
        int[] ytr = new int[n];
        int[] yte = new int[n];
        for (int i = 0; i < n; i++) {
            ytr[i] = i % 2;
            yte[i] = i % 2;
            tr[i][0] = (float) ((ytr[i] == 0 ? -1 : 1) + r.nextGaussian());
            te[i][0] = (float) ((yte[i] == 0 ? -1 : 1) + r.nextGaussian());
        }
        assertEquals(0.8413, LinearProbe.accuracy(tr, ytr, te, yte, 2, 5, 2), 0.01);
    }

    @Test
    void probeRejectsMismatchedInputs() {
        float[][] tr = {{1f}, {2f}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearProbe.accuracy(tr, new int[] {0}, tr, new int[] {0, 1}, 2, 1, 0));
        assertTrue(e.getMessage().contains("train 2/1"), e.getMessage());
    }
}
