package io.github.selfsup4j.model.syncbn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.distributed.Collective;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The composed, synchronised path of {@link BatchNorm} (forced with one process) against DJL's
 * native BatchNorm: outputs, the gradients of the input, γ and β, and the running statistics.
 * With one process the global batch is the local one, so the two must agree; the input gradient
 * holds only if {@link BatchNormSync#backward()} adds the statistics' terms (checked: without
 * it the gradient differs).
 */
class BatchNormSyncTest {

    record Result(float[] y, float[] dx, float[] dGamma, float[] dBeta, float[] runningMean,
            float[] runningVar) {}

    @ParameterizedTest
    @ValueSource(ints = {4, 2})
    void theSynchronisedPathEqualsDjlsBatchNorm(int dims) {
        Shape shape = dims == 4 ? new Shape(8, 3, 4, 5) : new Shape(16, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = random(shape.size(), 1, 1.5f, 0.7f);
            float[] w = random(shape.size(), 2, 1, 0);
            int c = (int) shape.get(1);
            float[] gamma = random(c, 3, 0.5f, 1);
            float[] beta = random(c, 4, 0.5f, 0);
            Result nat = run(m, ai.djl.nn.norm.BatchNorm.builder().build(), shape, x, w, gamma,
                    beta, false, true);
            Result syn = run(m, new BatchNorm(), shape, x, w, gamma, beta, true, true);
            close(nat.y(), syn.y(), 1e-5, "output");
            close(nat.dx(), syn.dx(), 1e-5, "input gradient");
            close(nat.dGamma(), syn.dGamma(), 1e-5, "gamma gradient");
            close(nat.dBeta(), syn.dBeta(), 1e-5, "beta gradient");
            close(nat.runningMean(), syn.runningMean(), 1e-6, "running mean");
            close(nat.runningVar(), syn.runningVar(), 1e-6, "running variance");
            Result without = run(m, new BatchNorm(), shape, x, w, gamma, beta, true, false);
            assertTrue(maxDiff(nat.dx(), without.dx()) > 1e-3,
                    "without the statistics' terms the input gradient differs");
        }
    }

    /**
     * A network with this block reads the parameters a network with DJL's BatchNorm saved
     * (checkpoints of earlier runs), under the same parameter names.
     */
    @org.junit.jupiter.api.Test
    void readsWhatDjlsBatchNormSaved() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            ai.djl.nn.SequentialBlock djl = io.github.selfsup4j.model.Encoders.smallCnn(16, 2,
                    io.github.selfsup4j.model.Encoders.Norm.RANK_BATCH);
            djl.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            for (var p : djl.getParameters()) { // not the initial values
                NDArray a = p.getValue().getArray();
                a.set(new NDIndex(":"), m.randomUniform(0, 1, a.getShape()));
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            djl.saveParameters(new java.io.DataOutputStream(bytes));
            ai.djl.nn.SequentialBlock ours = io.github.selfsup4j.model.Encoders.smallCnn(16, 2,
                    io.github.selfsup4j.model.Encoders.Norm.BATCH);
            ours.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            ours.loadParameters(m, new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray())));
            var a = djl.getParameters();
            var b = ours.getParameters();
            assertEquals(a.keys(), b.keys());
            for (int i = 0; i < a.size(); i++) {
                close(a.get(i).getValue().getArray().toFloatArray(),
                        b.get(i).getValue().getArray().toFloatArray(), 0, a.get(i).getKey());
            }
        }
    }

    /** Stacked layers: each layer's pass feeds the statistics of the layers below it. */
    @org.junit.jupiter.api.Test
    void stackedLayersGetTheNativeGradients() {
        Shape shape = new Shape(16, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = random(shape.size(), 5, 1.5f, 0.7f);
            float[] w = random(16 * 4, 6, 1, 0);
            float[][] nat = stacked(m, false, x, w);
            float[][] syn = stacked(m, true, x, w);
            for (int i = 0; i < nat.length; i++) {
                close(nat[i], syn[i], 1e-5, "array " + i);
            }
        }
    }

    private static float[][] stacked(NDManager m, boolean sync, float[] xv, float[] wv) {
        try (NDManager s = m.newSubManager()) {
            Engine.getInstance().setRandomSeed(7);
            ai.djl.nn.SequentialBlock net = new ai.djl.nn.SequentialBlock()
                    .add(ai.djl.nn.core.Linear.builder().setUnits(8).optBias(false).build())
                    .add(sync ? new BatchNorm() : ai.djl.nn.norm.BatchNorm.builder().build())
                    .add(ai.djl.nn.Activation.reluBlock())
                    .add(ai.djl.nn.core.Linear.builder().setUnits(4).build())
                    .add(sync ? new BatchNorm() : ai.djl.nn.norm.BatchNorm.builder().build());
            net.initialize(s, DataType.FLOAT32, new Shape(16, 6));
            ParameterStore ps = new ParameterStore(s, false);
            NDArray x = s.create(xv, new Shape(16, 6));
            x.setRequiresGradient(true);
            NDArray w = s.create(wv, new Shape(16, 4));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                    BatchNormSync session = BatchNormSync.open(Collective.single(), sync)) {
                NDArray y = net.forward(ps, new NDList(x), true).singletonOrThrow();
                NDArray loss = y.mul(w).sum();
                BatchNormSync.retainGraph(loss);
                session.backward();
            }
            java.util.List<float[]> out = new java.util.ArrayList<>();
            out.add(x.getGradient().toFloatArray());
            for (var p : net.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    out.add(p.getValue().getArray().getGradient().toFloatArray());
                }
            }
            return out.toArray(new float[0][]);
        }
    }

    private static Result run(NDManager m, Block bn, Shape shape, float[] xv, float[] wv,
            float[] gamma, float[] beta, boolean sync, boolean statsTerms) {
        try (NDManager s = m.newSubManager()) {
            bn.initialize(s, DataType.FLOAT32, shape);
            ((AbstractBlock) bn).getParameters().get("gamma").getArray()
                    .set(new NDIndex(":"), s.create(gamma));
            ((AbstractBlock) bn).getParameters().get("beta").getArray()
                    .set(new NDIndex(":"), s.create(beta));
            ParameterStore ps = new ParameterStore(s, false);
            NDArray x = s.create(xv, shape);
            x.setRequiresGradient(true);
            NDArray w = s.create(wv, shape);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                    BatchNormSync session = sync ? BatchNormSync.open(Collective.single(), true)
                            : null) {
                y = bn.forward(ps, new NDList(x), true).singletonOrThrow();
                NDArray loss = y.mul(w).sum();
                if (sync) {
                    BatchNormSync.retainGraph(loss);
                    if (statsTerms) {
                        session.backward();
                    }
                } else {
                    gc.backward(loss);
                }
            }
            var p = ((AbstractBlock) bn).getParameters();
            return new Result(y.toFloatArray(), x.getGradient().toFloatArray(),
                    p.get("gamma").getArray().getGradient().toFloatArray(),
                    p.get("beta").getArray().getGradient().toFloatArray(),
                    p.get("runningMean").getArray().toFloatArray(),
                    p.get("runningVar").getArray().toFloatArray());
        }
    }

    private static float[] random(long n, long seed, float scale, float offset) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = offset + scale * (float) (2 * r.nextDouble() - 1);
        }
        return v;
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static void close(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double d = maxDiff(expected, actual);
        assertTrue(d <= tol, what + " differs by " + d);
    }
}
