package io.github.selfsup4j.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.loss.classic.CrossEntropyLoss;
import io.github.selfsup4j.optim.Adam;
import io.github.selfsup4j.optim.Schedule;
import java.util.SplittableRandom;

/**
 * The linear probe: a softmax classifier trained on frozen features of the train split,
 * standardised with the train split's mean and standard deviation, scored on the test split.
 * Trained with the library's cross-entropy and Adam (mini-batches of 256, cosine-decayed learning
 * rate, a little weight decay), seeded.
 */
public final class LinearProbe {

    private LinearProbe() {}

    /**
     * Trains on {@code train} and returns the top-1 accuracy on {@code test}.
     *
     * @param train train features
     * @param trainLabels train classes
     * @param test test features
     * @param testLabels test classes
     * @param classes number of classes
     * @param epochs passes over the train split
     * @param seed the seed of the initialisation and the batch order
     * @param manager a manager on the compute device
     * @return top-1 test accuracy
     */
    public static double accuracy(float[][] train, int[] trainLabels, float[][] test,
            int[] testLabels, int classes, int epochs, long seed, NDManager manager) {
        int d = train[0].length;
        int n = train.length;
        float[] mean = new float[d];
        float[] std = new float[d];
        for (float[] r : train) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        for (float[] r : train) {
            for (int j = 0; j < d; j++) {
                std[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = (float) Math.sqrt(std[j]) + 1e-6f;
        }
        int batch = 256;
        int steps = epochs * (n / batch);
        CrossEntropyLoss ce = CrossEntropyLoss.builder().build();
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(Knn.flatten(standardise(train, mean, std)), new Shape(n, d));
            SplittableRandom rng = new SplittableRandom(seed);
            float[] w0 = new float[d * classes];
            for (int i = 0; i < w0.length; i++) {
                w0[i] = (float) (rng.nextGaussian() * 0.01);
            }
            NDArray w = m.create(w0, new Shape(d, classes));
            NDArray b = m.zeros(new Shape(classes));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Adam adam = new Adam(m, new Schedule(1e-2, 0, Math.max(1, steps), 0.0), 1e-4);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int e = 0; e < epochs; e++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int s = 0; s + batch <= n; s += batch) {
                    try (NDManager step = m.newSubManager()) {
                        int[] idx = java.util.Arrays.copyOfRange(order, s, s + batch);
                        long[] y = new long[batch];
                        for (int i = 0; i < batch; i++) {
                            y[i] = trainLabels[idx[i]];
                        }
                        NDArray xb = x.get(step.create(idx));
                        xb.attach(step);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = xb.matMul(w).add(b);
                            gc.backward(ce.apply(logits, step.create(y)));
                        }
                        for (NDArray p : new NDArray[] {w, b}) {
                            NDArray g = p.getGradient();
                            adam.update(p == w ? "w" : "b", p, g);
                            g.subi(g);
                            g.close();
                        }
                        adam.endStep();
                    }
                }
            }
            NDArray xt = m.create(Knn.flatten(standardise(test, mean, std)),
                    new Shape(test.length, d));
            long[] pred = xt.matMul(w.stopGradient()).add(b.stopGradient()).argMax(1)
                    .toType(DataType.INT64, false).toLongArray();
            int correct = 0;
            for (int i = 0; i < pred.length; i++) {
                if (pred[i] == testLabels[i]) {
                    correct++;
                }
            }
            adam.close();
            return (double) correct / test.length;
        }
    }

    private static float[][] standardise(float[][] f, float[] mean, float[] std) {
        float[][] out = new float[f.length][];
        for (int i = 0; i < f.length; i++) {
            out[i] = new float[f[i].length];
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (f[i][j] - mean[j]) / std[j];
            }
        }
        return out;
    }
}
