package io.github.selfsup4j.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.loss.adversarial.AdversarialLoss;
import io.github.selfsup4j.loss.adversarial.GanRole;
import io.github.selfsup4j.loss.adversarial.GradientPenalty;
import io.github.selfsup4j.optim.StatefulOptimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One discriminator (critic) step and one generator step of adversarial training, with the
 * library's GAN losses; the caller alternates them (k discriminator steps per generator step,
 * 5 for WGAN-GP).
 *
 * <ul>
 *   <li>Discriminator step: fake = G(z) detached; L_D(D(real), D(fake)), plus the gradient
 *       penalty at interpolates of real and fake when one is set; only D's parameters are
 *       updated.
 *   <li>Generator step: L_G(D(G(z))); only G's parameters are updated, and the gradients this
 *       backward leaves on D's parameters are zeroed.
 * </ul>
 *
 * <p>Both networks run in training mode in both steps (BatchNorm batch statistics, spectral
 * norms' power iterations), as in PyTorch's DCGAN example. Noise z ~ N(0, I) comes from a Java
 * generator seeded with (seed, step number), so a run repeats. Every array of a step lives in a
 * sub-manager of the given manager, closed at the end of the step; the real batch is copied
 * into it. A step whose loss or gradients are not finite is not applied (PyTorch 2.7.1's CPU
 * convolution backward can read unwritten memory, see DEVELOPERS.md): the gradients are zeroed,
 * a discriminator step puts back what its forward passes changed in place (running statistics,
 * power-iteration vectors) so that a repeat starts from the same state, and a generator step
 * reports NaN.
 */
public final class GanSteps {

    private final NDManager manager;
    private final Block generator;
    private final Block discriminator;
    private final AdversarialLoss discriminatorLoss;
    private final AdversarialLoss generatorLoss;
    private GradientPenalty penalty;
    private final StatefulOptimizer generatorOptimizer;
    private final StatefulOptimizer discriminatorOptimizer;
    private final int latentDim;
    private final long seed;
    private final ParameterStore store;
    private final Map<String, Parameter> generatorParams;
    private final Map<String, Parameter> discriminatorParams;
    /** Changed in place by training forward passes: BatchNorm statistics, spectral norms' u, v. */
    private final List<Parameter> forwardState;
    private long noiseDraws;

    private GanSteps(Builder b) {
        this.manager = b.manager;
        this.generator = b.generator;
        this.discriminator = b.discriminator;
        this.discriminatorLoss = b.discriminatorLoss;
        this.generatorLoss = b.generatorLoss;
        this.penalty = b.penalty;
        this.generatorOptimizer = b.generatorOptimizer;
        this.discriminatorOptimizer = b.discriminatorOptimizer;
        this.latentDim = b.latentDim;
        this.seed = b.seed;
        this.store = new ParameterStore(manager, false);
        this.generatorParams = parameters(generator, true);
        this.discriminatorParams = parameters(discriminator, true);
        this.forwardState = new ArrayList<>(parameters(generator, false).values());
        forwardState.addAll(parameters(discriminator, false).values());
    }

    /** A builder; everything but the gradient penalty and the seed is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The losses of a discriminator step: L_D + penalty, the sum of the discriminator's
     * gradients (to tell a non-finite loss from non-finite gradients), the penalty alone (0 if
     * none), the mean raw scores (logits or critic values) of the real and the fake batch, and
     * the mean sigmoid of those scores (D's mean probability of "real" when the scores are
     * logits; the mean of the sigmoids, not the sigmoid of the mean).
     */
    public record DiscriminatorLosses(double total, double gradientSum, double penalty,
            double realScore, double fakeScore, double realProbability,
            double fakeProbability) {

        /** Whether the update was made: the loss and every gradient were finite. */
        public boolean applied() {
            return Double.isFinite(total) && Double.isFinite(gradientSum);
        }
    }

    /**
     * One discriminator step on a real batch (N×...); N noise vectors make the fake batch.
     *
     * @return the losses; no update was made unless {@link DiscriminatorLosses#applied()}
     */
    public DiscriminatorLosses discriminatorStep(NDArray real) {
        int n = Math.toIntExact(real.getShape().get(0));
        try (NDManager s = manager.newSubManager()) {
            NDArray r = real.duplicate(); // a copy without graph, owned by the step
            r.attach(s);
            NDArray z = noise(s, n);
            List<NDArray> before = new ArrayList<>();
            for (Parameter p : forwardState) {
                NDArray copy = p.getArray().duplicate();
                copy.attach(s);
                before.add(copy);
            }
            double total;
            double gp = 0;
            double realMean;
            double fakeMean;
            double realProbability;
            double fakeProbability;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray fake = forward(generator, z).stopGradient();
                NDArray realScores = forward(discriminator, r);
                NDArray fakeScores = forward(discriminator, fake);
                realMean = scalar(realScores.mean());
                fakeMean = scalar(fakeScores.mean());
                realProbability = scalar(Activation.sigmoid(realScores.stopGradient()).mean());
                fakeProbability = scalar(Activation.sigmoid(fakeScores.stopGradient()).mean());
                NDArray loss = discriminatorLoss.forward(realScores, fakeScores).value();
                if (penalty != null) {
                    // The penalty's inner backward (create_graph) must not reach the critic's
                    // parameters: a leaf that receives a gradient with a graph keeps that graph
                    // on its .grad, and every later create_graph backward adds onto it, so each
                    // step's penalty graph stayed reachable (about 0.9 MB a critic step of
                    // batch 64, docs/BENCHMARKS.md; DJL cannot reset a gradient to none).
                    // The penalty's critic pass reads the parameters through views
                    // (non-leaves, which still carry the penalty's gradient to them), and the
                    // parameters do not require a gradient during the inner backward, where
                    // PyTorch then accumulates nothing into them.
                    ParameterStore views = new ViewStore(s);
                    GradientPenalty.Penalty p;
                    try {
                        p = penalty.compute(x -> {
                            NDArray scores = forward(discriminator, x, views);
                            setRequiresGradient(discriminatorParams, false);
                            return scores;
                        }, r, fake, List.of());
                    } finally {
                        setRequiresGradient(discriminatorParams, true);
                    }
                    try (p) {
                        loss = loss.add(p.value());
                        gp = scalar(p.value());
                        gc.backward(loss);
                    }
                } else {
                    gc.backward(loss);
                }
                total = scalar(loss);
            }
            zeroGradients(generatorParams);
            double gradientSum = apply(discriminatorParams, discriminatorOptimizer,
                    Double.isFinite(total));
            if (!Double.isFinite(gradientSum)) {
                for (int i = 0; i < before.size(); i++) {
                    forwardState.get(i).getArray().set(new NDIndex(":"), before.get(i));
                }
            }
            return new DiscriminatorLosses(total, gradientSum, gp, realMean, fakeMean,
                    realProbability, fakeProbability);
        }
    }

    /**
     * One generator step on {@code batch} noise vectors.
     *
     * @return the generator's loss (NaN, and no update, if it or a gradient was not finite)
     */
    public double generatorStep(int batch) {
        try (NDManager s = manager.newSubManager()) {
            NDArray z = noise(s, batch);
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray scores = forward(discriminator, forward(generator, z));
                NDArray loss = generatorLoss.forward(scores).value();
                gc.backward(loss);
                value = scalar(loss);
            }
            zeroGradients(discriminatorParams);
            double gradientSum = apply(generatorParams, generatorOptimizer,
                    Double.isFinite(value));
            return Double.isFinite(gradientSum) ? value : Double.NaN;
        }
    }

    /** {@code n} samples of the generator in inference mode, as a float array (n × ...). */
    public float[] sample(int n) {
        try (NDManager s = manager.newSubManager()) {
            NDArray z = noise(s, n);
            return generator.forward(store, new NDList(z), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    /**
     * Replaces the gradient penalty (null: none). A job that resumes bit for bit gives each step
     * a penalty seeded by its step number, since a penalty's random state is not checkpointed.
     */
    public void setGradientPenalty(GradientPenalty penalty) {
        this.penalty = penalty;
    }

    /** Noise batches drawn so far: save it with a checkpoint so that a resumed run repeats. */
    public long noiseDraws() {
        return noiseDraws;
    }

    /** Restores {@link #noiseDraws()} from a checkpoint. */
    public void setNoiseDraws(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("gan-steps: noise draws must be >= 0, got "
                    + draws);
        }
        this.noiseDraws = draws;
    }

    private NDArray forward(Block b, NDArray x) {
        return forward(b, x, store);
    }

    private static NDArray forward(Block b, NDArray x, ParameterStore parameters) {
        return b.forward(parameters, new NDList(x), true).singletonOrThrow();
    }

    private static void setRequiresGradient(Map<String, Parameter> params, boolean on) {
        for (Parameter p : params.values()) {
            p.getArray().setRequiresGradient(on);
        }
    }

    /**
     * The parameters of the penalty's critic pass: each trainable one as a view of itself, a
     * non-leaf owned by the step's manager.
     */
    private final class ViewStore extends ParameterStore {
        /** Owns the views: the step's manager. */
        private final NDManager views;

        ViewStore(NDManager views) {
            super(manager, false);
            this.views = views;
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            NDArray w = super.getValue(parameter, device, training);
            if (!parameter.requiresGradient()) {
                return w;
            }
            NDArray view = w.reshape(w.getShape());
            view.attach(views);
            return view;
        }
    }

    private static double scalar(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    private NDArray noise(NDManager s, int n) {
        return s.create(gaussians(seed, noiseDraws++, n * latentDim), new Shape(n, latentDim));
    }

    /**
     * The {@code count} standard normal values of noise draw {@code draw} of a run seeded
     * {@code seed}. The per-draw seed is passed through SplitMix64's finaliser: java.util.Random
     * seeded with consecutive numbers starts with nearly the same values (the first Gaussian of
     * 2,000 consecutive draws was positive 10 % of the time), so a plain {@code seed·φ + draw}
     * biased the first noise coordinate of every batch.
     */
    static float[] gaussians(long seed, long draw, int count) {
        long h = seed * 0x9E3779B97F4A7C15L + draw * 0xD1B54A32D192ED03L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        Random r = new Random(h ^ (h >>> 31));
        float[] z = new float[count];
        for (int i = 0; i < count; i++) {
            z[i] = (float) r.nextGaussian();
        }
        return z;
    }

    /**
     * Updates the parameters if {@code lossFinite} and every gradient is finite; zeroes the
     * gradients either way.
     *
     * @return the sum of the gradients (not finite: no update; NaN without a finite loss)
     */
    private double apply(Map<String, Parameter> params, StatefulOptimizer optimizer,
            boolean lossFinite) {
        double total = Double.NaN;
        // getGradient() returns a new handle in the parameters' manager, and the sums and
        // conversions made from it land there too: all go into a scratch manager
        try (NDManager scratch = manager.newSubManager()) {
            if (lossFinite) {
                total = 0;
                for (Parameter p : params.values()) {
                    total += scalar(gradient(p, scratch).sum());
                }
            }
            if (Double.isFinite(total)) {
                for (Map.Entry<String, Parameter> e : params.entrySet()) {
                    NDArray w = e.getValue().getArray();
                    optimizer.update(e.getKey(), w, gradient(e.getValue(), scratch));
                }
                optimizer.endStep();
            }
        }
        zeroGradients(params);
        return total;
    }

    private void zeroGradients(Map<String, Parameter> params) {
        try (NDManager scratch = manager.newSubManager()) {
            for (Parameter p : params.values()) {
                gradient(p, scratch).set(new NDIndex(":"), 0); // NaN-safe, unlike g - g
            }
        }
    }

    private static NDArray gradient(Parameter p, NDManager scratch) {
        NDArray g = p.getArray().getGradient();
        g.attach(scratch);
        return g;
    }

    /** The parameters of {@code block} that do (or, false, do not) require a gradient. */
    private static Map<String, Parameter> parameters(Block block, boolean trainable) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient() == trainable) {
                out.put(p.getKey(), p.getValue());
            }
        }
        return out;
    }

    /** Builds {@link GanSteps}. */
    public static final class Builder {
        private NDManager manager;
        private Block generator;
        private Block discriminator;
        private AdversarialLoss discriminatorLoss;
        private AdversarialLoss generatorLoss;
        private GradientPenalty penalty;
        private StatefulOptimizer generatorOptimizer;
        private StatefulOptimizer discriminatorOptimizer;
        private int latentDim;
        private long seed;

        private Builder() {}

        /** The manager the networks live in; steps run in its sub-managers (required). */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /** The initialised generator, z (N×latent) ↦ samples (required). */
        public Builder setGenerator(Block generator) {
            this.generator = generator;
            return this;
        }

        /** The initialised discriminator or critic, samples ↦ N or N×1 scores (required). */
        public Builder setDiscriminator(Block discriminator) {
            this.discriminator = discriminator;
            return this;
        }

        /** The loss of the two players: the same kind in the two roles (required). */
        public Builder setLosses(AdversarialLoss discriminatorLoss,
                AdversarialLoss generatorLoss) {
            this.discriminatorLoss = discriminatorLoss;
            this.generatorLoss = generatorLoss;
            return this;
        }

        /** A gradient penalty added to the discriminator's loss (WGAN-GP; default none). */
        public Builder optGradientPenalty(GradientPenalty penalty) {
            this.penalty = penalty;
            return this;
        }

        /** The optimisers of the generator and the discriminator (required). */
        public Builder setOptimizers(StatefulOptimizer generatorOptimizer,
                StatefulOptimizer discriminatorOptimizer) {
            this.generatorOptimizer = generatorOptimizer;
            this.discriminatorOptimizer = discriminatorOptimizer;
            return this;
        }

        /** The dimension of z (required, >= 1). */
        public Builder setLatentDim(int latentDim) {
            this.latentDim = latentDim;
            return this;
        }

        /** The seed of the noise (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Checks the settings and builds the steps. */
        public GanSteps build() {
            if (manager == null || generator == null || discriminator == null) {
                throw new IllegalArgumentException("gan-steps: manager, generator and"
                        + " discriminator must be set");
            }
            if (discriminatorLoss == null || discriminatorLoss.role() != GanRole.DISCRIMINATOR) {
                throw new IllegalArgumentException("gan-steps: the discriminator's loss must have"
                        + " role discriminator, got " + (discriminatorLoss == null ? "none"
                                : discriminatorLoss.role()));
            }
            if (generatorLoss == null || generatorLoss.role() != GanRole.GENERATOR) {
                throw new IllegalArgumentException("gan-steps: the generator's loss must have"
                        + " role generator, got " + (generatorLoss == null ? "none"
                                : generatorLoss.role()));
            }
            if (generatorOptimizer == null || discriminatorOptimizer == null) {
                throw new IllegalArgumentException("gan-steps: both optimisers must be set");
            }
            if (latentDim < 1) {
                throw new IllegalArgumentException("gan-steps: latent_dim must be >= 1, got "
                        + latentDim);
            }
            return new GanSteps(this);
        }
    }
}
