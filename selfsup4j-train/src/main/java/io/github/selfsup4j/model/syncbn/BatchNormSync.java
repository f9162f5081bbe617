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
 * and gradients. DJL has no custom backward and its BatchNorm is one native call, so the
 * synchronised layer is composed of ordinary operations around two leaves per layer, the global
 * mean and (biased) variance:
 *
 * <ol>
 *   <li>Forward ({@link BatchNorm} inside an open session): each rank sums its rows' values and
 *       squares per channel in float64, one all-reduce gives the global mean μ and variance σ²
 *       of the M rows of all ranks; they become leaves, and y = (x − μ)/√(σ² + ε)·γ + β. The
 *       running statistics are updated with them (so they are equal on every rank).
 *   <li>Backward: the loss is back-propagated keeping the graph; each layer's leaves then hold
 *       this rank's part of ∂L/∂μ and ∂L/∂σ². From the last layer to the first, they are
 *       all-reduced and pushed into this rank's layer input through {@code Σ x·(G_μ/M) +
 *       Σ (x − μ)²·(G_σ²/M)}, whose gradient is exactly G_μ·∂μ/∂x + G_σ²·∂σ²/∂x. Last to
 *       first, because a layer's pass adds to the leaves of the layers below it.
 * </ol>
 *
 * <p>This costs one partial backward pass per BatchNorm layer (PyTorch's SyncBatchNorm does the
 * all-reduce inside its backward kernel instead). With one process a session is inactive: the
 * layers run DJL's native BatchNorm and nothing else happens.
 */
public final class BatchNormSync implements AutoCloseable {

    private static final ThreadLocal<BatchNormSync> CURRENT = new ThreadLocal<>();

    private final Collective collective;
    private final boolean force;
    private final List<Layer> layers = new ArrayList<>();

    /** What the backward needs of one layer's forward. */
    private record Layer(NDArray x, NDArray mean, NDArray meanLeaf, NDArray varLeaf, double rows,
            Shape broadcast, boolean trained) {}

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
        for (Layer l : layers) {
            if (l.trained()) {
                return true;
            }
        }
        return false;
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
        double[] local = new double[2 * c + 1];
        try (NDArray xd = x.stopGradient().toType(DataType.FLOAT64, false);
                NDArray s1 = xd.sum(axes);
                NDArray sq = xd.square();
                NDArray s2 = sq.sum(axes)) {
            System.arraycopy(s1.toDoubleArray(), 0, local, 0, c);
            System.arraycopy(s2.toDoubleArray(), 0, local, c, c);
        }
        local[2 * c] = x.size() / c;
        double[] all = collective.worldSize() > 1 ? collective.allReduceSum(local) : local;
        double rows = all[2 * c];
        double[] stats = new double[2 * c];
        for (int i = 0; i < c; i++) {
            double mean = all[i] / rows;
            stats[i] = mean;
            stats[c + i] = Math.max(0, all[c + i] / rows - mean * mean);
        }
        NDArray meanLeaf = BatchNorm.vector(x, stats, 0, c);
        NDArray varLeaf = BatchNorm.vector(x, stats, c, c);
        meanLeaf.setRequiresGradient(true);
        varLeaf.setRequiresGradient(true);
        NDArray eps = x.getManager().create(BatchNorm.EPSILON);
        NDArray std = varLeaf.add(eps).sqrt().reshape(bs);
        NDArray y = x.sub(meanLeaf.reshape(bs)).div(std).mul(gamma.reshape(bs))
                .add(beta.reshape(bs));
        // running statistics as PyTorch updates them: the unbiased variance, factor 0.1
        double unbiased = rows > 1 ? rows / (rows - 1) : 1;
        double[] running = new double[2 * c];
        for (int i = 0; i < c; i++) {
            running[i] = stats[i];
            running[c + i] = stats[c + i] * unbiased;
        }
        try (NDArray m = BatchNorm.vector(x, running, 0, c);
                NDArray v = BatchNorm.vector(x, running, c, c)) {
            runningMean.muli(BatchNorm.MOMENTUM).addi(m.muli(1 - BatchNorm.MOMENTUM));
            runningVar.muli(BatchNorm.MOMENTUM).addi(v.muli(1 - BatchNorm.MOMENTUM));
        }
        // a trained layer's γ is a leaf that requires a gradient (a momentum copy's does not);
        // PyTorch reports requires_grad of computed arrays as false through DJL, so x cannot
        // be asked. The same on every rank.
        boolean trained = gamma.hasGradient();
        layers.add(new Layer(x, meanLeaf.stopGradient().reshape(bs), meanLeaf, varLeaf, rows,
                bs, trained));
        return y;
    }

    /**
     * After the loss was back-propagated with {@link #retainGraph}: the statistics' gradients of
     * every layer, all-reduced and pushed into the layer inputs, last layer first. Collective
     * calls, the same on every rank (the layers of a network that is not trained, e.g. a
     * momentum encoder, are skipped on every rank alike).
     */
    public void backward() {
        for (int k = layers.size() - 1; k >= 0; k--) {
            Layer l = layers.get(k);
            if (!l.trained()) {
                continue;
            }
            int c = (int) l.meanLeaf().size();
            double[] local = new double[2 * c];
            try (NDArray gm = l.meanLeaf().getGradient(); NDArray gv = l.varLeaf().getGradient()) {
                float[] a = gm.toFloatArray();
                float[] b = gv.toFloatArray();
                for (int i = 0; i < c; i++) {
                    local[i] = a[i];
                    local[c + i] = b[i];
                }
            }
            double[] g = collective.worldSize() > 1 ? collective.allReduceSum(local) : local;
            for (int i = 0; i < 2 * c; i++) {
                g[i] /= l.rows();
            }
            NDArray x = l.x();
            NDArray gMean = BatchNorm.vector(x, g, 0, c).reshape(l.broadcast());
            NDArray gVar = BatchNorm.vector(x, g, c, c).reshape(l.broadcast());
            NDArray centred = x.sub(l.mean());
            NDArray surrogate = x.mul(gMean).sum().add(centred.mul(centred).mul(gVar).sum());
            retainGraph(surrogate);
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
