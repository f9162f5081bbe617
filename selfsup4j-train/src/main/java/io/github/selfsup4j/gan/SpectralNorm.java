package io.github.selfsup4j.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * Spectral normalisation (Miyato et al. 2018) of a {@link Linear} or {@link Conv2d} layer: the
 * layer computes with W / σ(W), σ the largest singular value of W viewed as a matrix (rows = the
 * output units or filters, columns = everything else), estimated by power iteration, as
 * PyTorch's {@code torch.nn.utils.spectral_norm}:
 *
 * <pre>
 *   training forward:  v ← normalize(Wᵀu), u ← normalize(W v)   (iterations times, no gradient)
 *   both forwards:     σ = uᵀ W v,  W_SN = W / σ
 * </pre>
 *
 * <p>u (rows) and v (columns) are persistent: parameters that take no gradient (so {@code
 * saveParameters} writes them into checkpoints and optimisers skip them), updated in place by
 * every training forward and left alone by inference forwards. Gradients flow through σ with u
 * and v treated as constants, as in PyTorch. u and v start as seeded random unit vectors;
 * normalisation divides by max(‖·‖, 1e−12).
 *
 * <p>Every array a forward makes is attached to the input's manager (results otherwise attach
 * to the parameters' manager and would accumulate over steps).
 */
public final class SpectralNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final double EPS = 1e-12;

    private final Block layer;
    private final Parameter weight;
    private final Parameter bias;
    private final int iterations;
    private final Parameter u;
    private final Parameter v;

    private SpectralNorm(Builder b) {
        super(VERSION);
        this.layer = addChildBlock(b.layer.getClass().getSimpleName(), b.layer);
        this.weight = b.layer.getDirectParameters().get("weight");
        this.bias = b.layer.getDirectParameters().get("bias");
        this.iterations = b.iterations;
        this.u = addParameter(Parameter.builder().setName("u").setType(Parameter.Type.OTHER)
                .optInitializer(new UnitVector(b.seed)).optRequiresGrad(false).build());
        this.v = addParameter(Parameter.builder().setName("v").setType(Parameter.Type.OTHER)
                .optInitializer(new UnitVector(b.seed + 1)).optRequiresGrad(false).build());
    }

    /** A builder; {@link Builder#setLayer} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Wraps {@code layer} with one power iteration per training forward and seed 0. */
    public static SpectralNorm of(Block layer) {
        return builder().setLayer(layer).build();
    }

    /** The wrapped layer (its weight holds the unnormalised W). */
    public Block layer() {
        return layer;
    }

    /** The power-iteration vector u (output side), as stored. */
    public NDArray u() {
        return u.getArray();
    }

    /** The power-iteration vector v (input side), as stored. */
    public NDArray v() {
        return v.getArray();
    }

    /** The current estimate σ = uᵀ W v from the stored u and v and the current weight. */
    public double sigma() {
        try (NDManager scratch = weight.getArray().getManager().newSubManager()) {
            NDArray w = local(weight.getArray().stopGradient(), scratch);
            NDArray uu = local(u.getArray().duplicate(), scratch);
            NDArray vv = local(v.getArray().duplicate(), scratch);
            return w.reshape(uu.getShape().get(0), -1).matMul(vv).mul(uu).sum()
                    .toType(DataType.FLOAT64, false).getDouble();
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDManager local = x.getManager();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        long rows = w.getShape().get(0);
        // the stored vectors themselves, not a parameter store's copies: they are updated here
        NDArray uArr = u.getArray();
        NDArray vArr = v.getArray();
        NDArray uk;
        NDArray vk;
        if (training) {
            NDArray wd = local(w.stopGradient(), local).reshape(rows, -1);
            uk = local(uArr.duplicate(), local);
            vk = null;
            for (int i = 0; i < iterations; i++) {
                vk = normalize(wd.transpose().matMul(uk));
                uk = normalize(wd.matMul(vk));
            }
            // a weight with NaN or infinity leaves the vectors as they were, so that a step the
            // trainer discards does not poison every later estimate
            if (finite(uk) && finite(vk)) {
                uArr.muli(0).addi(uk);
                vArr.muli(0).addi(vk);
            }
        } else {
            // copies, so that no graph refers to the stored vectors a later forward overwrites
            uk = local(uArr.duplicate(), local);
            vk = local(vArr.duplicate(), local);
        }
        NDArray wm = local(w.reshape(rows, -1), local);
        NDArray sigma = wm.matMul(vk).mul(uk).sum();
        NDArray wsn = wm.div(sigma).reshape(w.getShape());
        if (layer instanceof Conv2d) {
            Conv2d c = (Conv2d) layer;
            return Conv2d.conv2d(x, wsn, b, c.getStride(), c.getPadding(), c.getDilation(),
                    c.getGroups());
        }
        return b == null ? Linear.linear(x, wsn) : Linear.linear(x, wsn, b);
    }

    private static NDArray normalize(NDArray a) {
        return a.div(a.norm().maximum(EPS));
    }

    private static boolean finite(NDArray a) {
        return !a.isNaN().logicalOr(a.isInfinite()).any().getBoolean();
    }

    private static NDArray local(NDArray a, NDManager m) {
        a.attach(m);
        return a;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return layer.getOutputShapes(inputShapes);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long rows;
        long cols;
        if (layer instanceof Conv2d) {
            Conv2d c = (Conv2d) layer;
            rows = c.getFilters();
            cols = in.get(1) / c.getGroups() * c.getKernelShape().size();
        } else {
            Shape out = layer.getOutputShapes(inputShapes)[0];
            rows = out.get(out.dimension() - 1);
            cols = in.get(in.dimension() - 1);
        }
        u.setShape(new Shape(rows));
        v.setShape(new Shape(cols));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        layer.initialize(manager, dataType, inputShapes);
    }

    /** A random unit vector from a seeded Java generator. */
    private static final class UnitVector implements Initializer {
        private final long seed;

        UnitVector(long seed) {
            this.seed = seed;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            Random r = new Random(seed);
            double[] a = new double[Math.toIntExact(shape.size())];
            double norm = 0;
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextGaussian();
                norm += a[i] * a[i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < a.length; i++) {
                a[i] /= norm;
            }
            return manager.create(a, shape).toType(dataType, false);
        }
    }

    /** Builds a {@link SpectralNorm}. */
    public static final class Builder {
        private Block layer;
        private int iterations = 1;
        private long seed;

        private Builder() {}

        /** The layer to normalise: a {@link Linear} or a {@link Conv2d} (required). */
        public Builder setLayer(Block layer) {
            this.layer = layer;
            return this;
        }

        /** Power iterations per training forward (default 1, as PyTorch). */
        public Builder optIterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        /** The seed of the initial u and v (default 0; v uses seed + 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Checks the options and builds the block. */
        public SpectralNorm build() {
            if (!(layer instanceof Linear) && !(layer instanceof Conv2d)) {
                throw new IllegalArgumentException("spectral-norm: layer must be a Linear or a"
                        + " Conv2d, got " + (layer == null ? "null" : layer.getClass().getName()));
            }
            if (iterations < 1) {
                throw new IllegalArgumentException("spectral-norm: iterations must be >= 1, got "
                        + iterations);
            }
            return new SpectralNorm(this);
        }
    }
}
