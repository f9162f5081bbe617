package io.github.selfsup4j.loss.adversarial;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The WGAN-GP gradient penalty (Gulrajani et al. 2017): \( \lambda\,
 * \mathbb{E}_{\hat x}\left[(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2\right] \) at \(\hat x =
 * \epsilon x + (1-\epsilon)\tilde x\), \(\epsilon \sim U[0,1]\) per sample, with the norm taken
 * per sample over all non-batch axes. Default λ = 10.
 *
 * <p>The penalty needs a gradient of a gradient. DJL's public API has no double backward; on the
 * PyTorch engine this class calls {@code JniUtils.backward(target, ones, keepGraph=true,
 * createGraph=true)} through reflection (the loss module depends on DJL's api only), after which
 * \(\nabla_{\hat x} D\) carries a graph and the penalty back-propagates into the critic. The test
 * {@code GradientPenaltyTest} checks the result against the analytic gradient. Other engines get
 * an {@link UnsupportedOperationException}.
 *
 * <p>The inner backward would also add \(\nabla_\theta \sum D(\hat x)\) to the critic's parameter
 * gradients; {@link #compute} restores the parameter gradients it is given, so that only the
 * penalty's true gradient reaches them. Close the returned {@link Penalty} after the step's
 * backward: it zeroes \(\hat x\)'s gradient, breaking the reference cycle that {@code
 * create_graph} leaves behind.
 */
public final class GradientPenalty {

    private static final String NAME = "gradient-penalty";

    private final double lambda;
    private final Random rng;

    private GradientPenalty(Builder b) {
        this.lambda = Checks.nonNegative(NAME, "lambda", b.lambda);
        this.rng = new Random(b.seed);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The penalty at random interpolates of {@code real} and {@code fake}. Call it inside a
     * gradient collector.
     *
     * @param critic the critic, mapping a batch to scores (N or N×1)
     * @param real real samples (N×...)
     * @param fake generated samples of the same shape
     * @param criticParameters the critic's parameters, whose gradients are protected
     * @return the penalty
     */
    public Penalty compute(
            Function<NDArray, NDArray> critic,
            NDArray real,
            NDArray fake,
            List<NDArray> criticParameters) {
        Checks.present(NAME, "real", real);
        Checks.present(NAME, "fake", fake);
        Checks.sameShape(NAME, "real", real, "fake", fake);
        int n = (int) real.getShape().get(0);
        long[] dims = new long[real.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = n;
        float[] eps = new float[n];
        for (int i = 0; i < n; i++) {
            eps[i] = rng.nextFloat();
        }
        NDArray e = real.getManager().create(eps, new Shape(dims)).toType(real.getDataType(), false);
        NDArray xHat = real.stopGradient().mul(e)
                .add(fake.stopGradient().mul(e.neg().add(1.0)))
                .stopGradient();
        return at(critic, xHat, criticParameters);
    }

    /**
     * The penalty at given points {@code xHat} (a fresh leaf is made from them).
     *
     * @param critic the critic
     * @param points where to evaluate the gradient norm (N×...)
     * @param criticParameters the critic's parameters, whose gradients are protected
     * @return the penalty
     */
    public Penalty at(Function<NDArray, NDArray> critic, NDArray points,
            List<NDArray> criticParameters) {
        NDArray xHat = points.stopGradient();
        xHat.setRequiresGradient(true);
        List<NDArray> saved = new ArrayList<>();
        for (NDArray p : criticParameters) {
            saved.add(p.getGradient().duplicate());
        }
        NDArray scores = critic.apply(xHat);
        backwardWithGraph(scores.sum());
        NDArray grad = xHat.getGradient();
        for (int i = 0; i < criticParameters.size(); i++) {
            NDArray g = criticParameters.get(i).getGradient();
            g.subi(g.sub(saved.get(i)));
        }
        long n = grad.getShape().get(0);
        NDArray norms = Ops.atLeast(grad.reshape(n, -1).square().sum(new int[] {1}), 1e-24).sqrt();
        NDArray value = Ops.scale(norms.sub(1.0).square().mean(), lambda);
        return new Penalty(value, xHat);
    }

    /** Back-propagates {@code target} keeping the graph and recording the gradient's own graph. */
    static void backwardWithGraph(NDArray target) {
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            Class<?> pt = Class.forName("ai.djl.pytorch.engine.PtNDArray");
            if (!pt.isInstance(target)) {
                throw new UnsupportedOperationException(
                        NAME + ": double backward needs the PyTorch engine, got "
                                + target.getClass().getName());
            }
            Method m = jni.getMethod("backward", pt, pt, boolean.class, boolean.class);
            m.invoke(null, target, target.onesLike(), true, true);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new UnsupportedOperationException(
                    NAME + ": double backward needs DJL's PyTorch engine on the class path", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(NAME + ": double backward failed", cause);
        }
    }

    /** A computed penalty; close it after the step's backward. */
    public static final class Penalty implements AutoCloseable {
        private final NDArray value;
        private final NDArray points;

        Penalty(NDArray value, NDArray points) {
            this.value = value;
            this.points = points;
        }

        /** The penalty, λ·mean((‖∇D‖ − 1)²), with its graph. */
        public NDArray value() {
            return value;
        }

        /** The points where the critic's gradient was taken. */
        public NDArray points() {
            return points;
        }

        /** Zeroes the interpolates' gradient, releasing the graph it holds. */
        @Override
        public void close() {
            NDArray g = points.getGradient();
            g.subi(g.stopGradient());
        }
    }

    /** Builds a {@link GradientPenalty}. */
    public static final class Builder {
        private double lambda = 10.0;
        private long seed;

        private Builder() {}

        /** The weight λ >= 0 (default 10). */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** The seed of the interpolation weights (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Checks the options and builds the helper. */
        public GradientPenalty build() {
            return new GradientPenalty(this);
        }
    }
}
