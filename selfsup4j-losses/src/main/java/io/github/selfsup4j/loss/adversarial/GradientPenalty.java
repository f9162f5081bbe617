package io.github.selfsup4j.loss.adversarial;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * create_graph} leaves behind, and frees every array the call made (they live in a
 * sub-manager of the inputs' manager, so calls do not accumulate arrays there; the critic's
 * intermediates go there too when, as usual, they attach to its input's manager).
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
        // every array of the call lives in one sub-manager that the Penalty closes: results
        // attach to their first operand's manager, which would otherwise be the caller's
        NDManager sub = real.getManager().newSubManager();
        try {
            NDArray e = sub.create(eps, new Shape(dims)).toType(real.getDataType(), false);
            NDArray r = own(real.stopGradient(), sub);
            NDArray f = own(fake.stopGradient(), sub);
            NDArray xHat = r.mul(e).add(f.mul(e.neg().add(1.0))).stopGradient();
            return at(critic, xHat, criticParameters, sub);
        } catch (RuntimeException ex) {
            sub.close();
            throw ex;
        }
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
        Checks.present(NAME, "points", points);
        NDManager sub = points.getManager().newSubManager();
        try {
            return at(critic, points, criticParameters, sub);
        } catch (RuntimeException ex) {
            sub.close();
            throw ex;
        }
    }

    /** The penalty, every array it makes owned by {@code sub} (the critic's, through xHat). */
    private Penalty at(Function<NDArray, NDArray> critic, NDArray points,
            List<NDArray> criticParameters, NDManager sub) {
        NDArray xHat = own(points.stopGradient(), sub);
        xHat.setRequiresGradient(true);
        List<NDArray> saved = new ArrayList<>();
        for (NDArray p : criticParameters) {
            // getGradient makes a new handle in the parameter's (long-lived) manager
            saved.add(own(p.getGradient(), sub).duplicate());
        }
        NDArray scores = critic.apply(xHat);
        backwardWithGraph(scores.sum());
        NDArray grad = xHat.getGradient();
        for (int i = 0; i < criticParameters.size(); i++) {
            NDArray g = own(criticParameters.get(i).getGradient(), sub);
            g.subi(g.sub(saved.get(i)));
        }
        long n = grad.getShape().get(0);
        NDArray norms = Ops.atLeast(grad.reshape(n, -1).square().sum(new int[] {1}), 1e-24).sqrt();
        NDArray value = Ops.scale(norms.sub(1.0).square().mean(), lambda);
        return new Penalty(value, xHat, sub);
    }

    /** {@code x}, moved into {@code m}. */
    private static NDArray own(NDArray x, NDManager m) {
        x.attach(m);
        return x;
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

    /**
     * A computed penalty; close it after the step's backward. It owns every array of its call
     * (the value and the points included), so the live arrays do not grow from call to call.
     */
    public static final class Penalty implements AutoCloseable {
        private final NDArray value;
        private final NDArray points;
        private final NDManager arrays;

        Penalty(NDArray value, NDArray points, NDManager arrays) {
            this.value = value;
            this.points = points;
            this.arrays = arrays;
        }

        /** The penalty, λ·mean((‖∇D‖ − 1)²), with its graph; valid until {@link #close}. */
        public NDArray value() {
            return value;
        }

        /** The points where the critic's gradient was taken; valid until {@link #close}. */
        public NDArray points() {
            return points;
        }

        /**
         * Zeroes the interpolates' gradient, releasing the graph it holds, then frees the
         * arrays of the call.
         */
        @Override
        public void close() {
            NDArray g = points.getGradient();
            g.subi(g.stopGradient());
            arrays.close();
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
