package io.github.selfsup4j.model.syncbn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.github.selfsup4j.distributed.Collective;
import java.util.ArrayList;
import java.util.List;

/**
 * One training step's synchronised BatchNorm across processes (SyncBatchNorm), exact in values
 * and gradients. DJL has no custom backward and its BatchNorm is one native call, so a
 * synchronised layer is composed of ordinary operations around leaves: its input, cut from the
 * graph below it, and the global mean and (biased) variance.
 *
 * <ol>
 *   <li>Forward ({@link BatchNorm} inside an open session): per-channel sums over this rank's
 *       rows, all-reduced, give the global mean μ; then sums of squared deviations from it,
 *       all-reduced, the global variance σ² of the M rows of all ranks (two passes, as
 *       accurate as the native kernel). The layer computes y = (x' − μ)/√(σ² + ε)·γ + β on a
 *       leaf x' holding x's values, and updates its running statistics with μ and σ² (equal on
 *       every rank).
 *   <li>Backward: the loss's backward pass stops at the last layer's leaves. Then, from the
 *       last layer to the first, the gradients of μ and σ² are all-reduced and the exact
 *       gradient of the layer input, ∂L/∂x = ∂L/∂x' + G_μ/M + 2(x − μ)·G_σ²/M, is pushed into
 *       the graph below the layer (down to the leaves of the layer before). Each part of the
 *       network is back-propagated once, as in one ordinary backward pass; last to first,
 *       because a layer's pass adds to the leaves of the layers below it.
 * </ol>
 *
 * <p>The graph is kept across the passes (a shortcut's input is reached from two layers). With
 * one process a session is inactive: the layers run DJL's native BatchNorm and nothing else
 * happens. Layers of a network that is not trained (a momentum copy) are synchronised in the
 * forward pass only.
 */
public final class BatchNormSync implements AutoCloseable {

    private static final ThreadLocal<BatchNormSync> CURRENT = new ThreadLocal<>();

    private final Collective collective;
    private final boolean force;
    private final List<Layer> layers = new ArrayList<>();

    /** What the backward needs of one trained layer's forward. */
    private record Layer(NDArray x, NDArray input, NDArray mean, NDArray meanLeaf,
            NDArray varLeaf, double rows) {}

    private BatchNormSync(Collective collective, boolean force) {
        this.collective = collective;
        this.force = force;
    }

    /**
     * Opens the step's session on this thread: until {@link #close()}, {@link BatchNorm} layers
     * in training mode use the global batch's statistics when the collective has several ranks.
     */
    public static BatchNormSync open(Collective collective) {
        return open(collective, false);
    }

    /** {@link #open(Collective)}; with {@code force}, the composed path even for one rank. */
    static BatchNormSync open(Collective collective, boolean force) {
        BatchNormSync s = new BatchNormSync(collective, force);
        CURRENT.set(s);
        return s;
    }

    static BatchNormSync current() {
        return CURRENT.get();
    }

    boolean active() {
        return force || collective.worldSize() > 1;
    }

    /** Whether the loss's backward pass must keep the graph for {@link #backward()}. */
    public boolean needsGraph() {
        return !layers.isEmpty();
    }

    NDArray forward(NDArray x, NDArray gamma, NDArray beta, NDArray runningMean,
            NDArray runningVar) {
        Shape shape = x.getShape();
        int c = (int) shape.get(1);
        int[] axes = new int[shape.dimension() - 1];
        long[] broadcast = new long[shape.dimension()];
        for (int i = 0, k = 0; i < shape.dimension(); i++) {
            broadcast[i] = i == 1 ? c : 1;
            if (i != 1) {
                axes[k++] = i;
            }
        }
        Shape bs = new Shape(broadcast);
        double rows;
        double[] mean;
        double[] var = new double[c];
        try (NDArray xd = x.stopGradient()) {
            double[] sums = new double[c + 1];
            try (NDArray s1 = xd.sum(axes)) {
                float[] f = s1.toFloatArray();
                for (int i = 0; i < c; i++) {
                    sums[i] = f[i];
                }
            }
            sums[c] = x.size() / c;
            sums = allReduce(sums);
            rows = sums[c];
            mean = new double[c];
            for (int i = 0; i < c; i++) {
                mean[i] = sums[i] / rows;
            }
            double[] squares;
            try (NDArray m = BatchNorm.vector(x, mean, 0, c).reshape(bs);
                    NDArray d = xd.sub(m);
                    NDArray s2 = d.muli(d).sum(axes)) {
                float[] f = s2.toFloatArray();
                squares = new double[c];
                for (int i = 0; i < c; i++) {
                    squares[i] = f[i];
                }
            }
            squares = allReduce(squares);
            for (int i = 0; i < c; i++) {
                var[i] = squares[i] / rows;
            }
        }
        NDArray meanLeaf = BatchNorm.vector(x, mean, 0, c);
        NDArray varLeaf = BatchNorm.vector(x, var, 0, c);
        // a trained layer's γ is a leaf that requires a gradient (a momentum copy's does not);
        // through DJL, PyTorch reports requires_grad of computed arrays as false, so x cannot
        // be asked. The same on every rank.
        boolean trained = gamma.hasGradient();
        NDArray input = x;
        if (trained) {
            input = x.stopGradient(); // the cut: the graph below is reached in backward()
            input.setRequiresGradient(true);
            meanLeaf.setRequiresGradient(true);
            varLeaf.setRequiresGradient(true);
        }
        NDArray eps = x.getManager().create(BatchNorm.EPSILON);
        NDArray std = varLeaf.add(eps).sqrt().reshape(bs);
        NDArray y = input.sub(meanLeaf.reshape(bs)).div(std).mul(gamma.reshape(bs))
                .add(beta.reshape(bs));
        // running statistics as PyTorch updates them: the unbiased variance, factor 0.1
        double unbiased = rows > 1 ? rows / (rows - 1) : 1;
        double[] running = new double[c];
        for (int i = 0; i < c; i++) {
            running[i] = var[i] * unbiased;
        }
        try (NDArray m = BatchNorm.vector(x, mean, 0, c);
                NDArray v = BatchNorm.vector(x, running, 0, c)) {
            runningMean.muli(BatchNorm.MOMENTUM).addi(m.muli(1 - BatchNorm.MOMENTUM));
            runningVar.muli(BatchNorm.MOMENTUM).addi(v.muli(1 - BatchNorm.MOMENTUM));
        }
        if (trained) {
            layers.add(new Layer(x, input, meanLeaf.stopGradient().reshape(bs), meanLeaf,
                    varLeaf, rows));
        }
        return y;
    }

    private double[] allReduce(double[] values) {
        return collective.worldSize() > 1 ? collective.allReduceSum(values) : values;
    }

    /**
     * After the loss was back-propagated (with {@link #retainGraph}): pushes the exact gradient
     * of every trained layer's input into the graph below it, last layer first. Collective
     * calls, the same on every rank.
     */
    public void backward() {
        for (int k = layers.size() - 1; k >= 0; k--) {
            Layer l = layers.get(k);
            int c = (int) l.meanLeaf().size();
            double[] g = new double[2 * c];
            try (NDArray gm = l.meanLeaf().getGradient(); NDArray gv = l.varLeaf().getGradient()) {
                float[] a = gm.toFloatArray();
                float[] b = gv.toFloatArray();
                for (int i = 0; i < c; i++) {
                    g[i] = a[i] / l.rows();
                    g[c + i] = 2 * b[i] / l.rows();
                }
            }
            g = allReduce(g);
            Shape bs = l.mean().getShape();
            NDArray gx = l.input().stopGradient().sub(l.mean()); // x − μ
            try (NDArray direct = l.input().getGradient();
                    NDArray gMean = BatchNorm.vector(direct, g, 0, c).reshape(bs);
                    NDArray gVar = BatchNorm.vector(direct, g, c, c).reshape(bs)) {
                // ∂L/∂x = ∂L/∂x' + G_μ/M + 2(x − μ)·G_σ²/M, in place
                gx.muli(gVar).addi(gMean).addi(direct);
            }
            retainGraph(l.x().mul(gx).sum());
            gx.close();
        }
    }

    /** Back-propagates a scalar keeping the graph (the collector's backward frees it). */
    public static void retainGraph(NDArray scalar) {
        try (NDArray ones = scalar.onesLike()) {
            JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, true, false);
        }
    }

    @Override
    public void close() {
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
    }
}
