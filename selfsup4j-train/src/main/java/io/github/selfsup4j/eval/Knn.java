package io.github.selfsup4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.numerics.Ops;

/**
 * Weighted k-nearest-neighbour classification on frozen features (Wu et al. 2018, "Unsupervised
 * Feature Learning via Non-Parametric Instance Discrimination"): cosine similarity, each of the k
 * nearest training samples votes for its class with weight exp(sim/T), T = 0.07. The top 200
 * neighbours are found once; k = 20 and k = 200 are read from them.
 */
public final class Knn {

    private Knn() {}

    /**
     * Top-1 accuracy for each k.
     *
     * @param train memory features (N×F)
     * @param trainLabels their classes
     * @param test query features
     * @param testLabels their classes
     * @param classes number of classes
     * @param ks the k values (each ≤ the number of training samples)
     * @param temperature the vote temperature (0.07)
     * @param manager a manager on the compute device
     * @return accuracy per k, in the order of {@code ks}
     */
    public static double[] accuracy(float[][] train, int[] trainLabels, float[][] test,
            int[] testLabels, int classes, int[] ks, double temperature, NDManager manager) {
        int kmax = 0;
        for (int k : ks) {
            kmax = Math.max(kmax, Math.min(k, train.length));
        }
        int[] correct = new int[ks.length];
        try (NDManager m = manager.newSubManager()) {
            NDArray memory = Ops.l2Normalize(m.create(flatten(train),
                    new Shape(train.length, train[0].length))).transpose();
            int chunk = Math.max(1, (int) Math.min(1000, 20_000_000L / train.length));
            for (int start = 0; start < test.length; start += chunk) {
                int len = Math.min(chunk, test.length - start);
                try (NDManager step = m.newSubManager()) {
                    float[][] part = java.util.Arrays.copyOfRange(test, start, start + len);
                    NDArray q = Ops.l2Normalize(step.create(flatten(part),
                            new Shape(len, test[0].length)));
                    NDList top = q.matMul(memory).topK(kmax, 1, true, true);
                    float[] sims = top.get(0).toFloatArray();
                    long[] idx = top.get(1).toLongArray();
                    for (int i = 0; i < len; i++) {
                        double[] votes = new double[classes];
                        int kIndex = 0;
                        int[] order = sortedKs(ks);
                        for (int j = 0; j < kmax; j++) {
                            votes[trainLabels[(int) idx[i * kmax + j]]] +=
                                    Math.exp(sims[i * kmax + j] / temperature);
                            while (kIndex < order.length && Math.min(ks[order[kIndex]],
                                    train.length) == j + 1) {
                                if (argmax(votes) == testLabels[start + i]) {
                                    correct[order[kIndex]]++;
                                }
                                kIndex++;
                            }
                        }
                    }
                }
            }
        }
        double[] acc = new double[ks.length];
        for (int i = 0; i < ks.length; i++) {
            acc[i] = (double) correct[i] / test.length;
        }
        return acc;
    }

    private static int[] sortedKs(int[] ks) {
        Integer[] o = new Integer[ks.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        java.util.Arrays.sort(o, (a, b) -> Integer.compare(ks[a], ks[b]));
        int[] r = new int[o.length];
        for (int i = 0; i < o.length; i++) {
            r[i] = o[i];
        }
        return r;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static float[] flatten(float[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * d, d);
        }
        return out;
    }
}
