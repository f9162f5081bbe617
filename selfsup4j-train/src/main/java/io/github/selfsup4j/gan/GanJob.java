package io.github.selfsup4j.gan;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.ShuffleSampler;
import io.github.selfsup4j.engine.BatchSource;
import io.github.selfsup4j.engine.Job;
import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.loss.adversarial.AdversarialLoss;
import io.github.selfsup4j.loss.adversarial.GanBceLoss;
import io.github.selfsup4j.loss.adversarial.GanRole;
import io.github.selfsup4j.loss.adversarial.GradientPenalty;
import io.github.selfsup4j.loss.adversarial.HingeGanLoss;
import io.github.selfsup4j.loss.adversarial.WganLoss;
import io.github.selfsup4j.model.MomentumNetwork;
import io.github.selfsup4j.optim.Adam;
import io.github.selfsup4j.optim.Schedule;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The GAN job: a DCGAN generator and discriminator (critic) trained with one of the library's
 * adversarial losses, two Adam optimisers (TTUR: each its own rate), k discriminator steps per
 * generator step, and an exponential moving average of the generator (Yazıcı et al. 2019) that
 * samples and is evaluated by default.
 *
 * <p>One engine step is one discriminator step on a fresh real batch; every k-th step (by global
 * step, so a resumed run keeps the rhythm) is followed by a generator step and an EMA update.
 * An epoch is thus one pass of the discriminator over the training images. Reported scalars: the
 * generator's loss, the discriminator's mean output on real and fake images (as probabilities
 * for gan-bce, raw scores for hinge), and for wgan-gp the critic's Wasserstein estimate
 * E[D(real)] − E[D(fake)] and the gradient penalty.
 *
 * <p>Samples are drawn in training mode (batch statistics in the generator's BatchNorm, as
 * PyTorch's DCGAN example samples), in chunks of {@value #SAMPLE_CHUNK}: the moving average has
 * no running statistics of its own, and the online generator's lag behind its weights.
 */
public final class GanJob implements Job<GanJob.ImageBatch> {

    /** Images per forward pass when sampling. */
    public static final int SAMPLE_CHUNK = 500;

    /**
     * A batch of real images: N×1×H×W pixels in [−1, 1] (the generator's tanh range), no labels.
     *
     * @param pixels N·H·W values
     * @param size N
     * @param height H
     * @param width W
     */
    public record ImageBatch(float[] pixels, int size, int height, int width) {}

    private final GanOptions options;
    private final GanOptions.Kind kind;
    private final NDManager manager;
    private final Block generator;
    private final Block discriminator;
    private final MomentumNetwork ema;
    private final Adam generatorOptimizer;
    private final Adam discriminatorOptimizer;
    private final GanSteps steps;
    private final ParameterStore store;
    private final Source source;
    private final int height;
    private final int width;

    /**
     * Builds and initialises the networks (seeded: set the engine's random seed before).
     *
     * @param options the options, loss defaults applied
     * @param train the training images (their labels are never read)
     */
    public GanJob(GanOptions options, ImageDataset train) {
        this.options = options;
        this.kind = options.kind();
        this.height = train.height();
        this.width = train.width();
        if (height != 28 || width != 28) {
            throw new IllegalArgumentException("gan: the DCGAN networks take 28×28 images, got "
                    + height + "×" + width);
        }
        this.manager = NDManager.newBaseManager();
        this.generator = newGenerator(options);
        generator.initialize(manager, DataType.FLOAT32, new Shape(2, options.zDim));
        this.discriminator = Dcgan.discriminator().optWidth(options.dWidth)
                .optBatchNorm(kind != GanOptions.Kind.WGAN_GP)
                .optSpectralNorm(options.spectralNorm).optSeed(options.seed).build();
        discriminator.initialize(manager, DataType.FLOAT32, new Shape(2, 1, height, width));
        this.ema = new MomentumNetwork(generator, newGenerator(options), manager,
                new Shape(2, options.zDim));
        this.generatorOptimizer = new Adam(manager, new Schedule(options.lrG, 0, 1, 1.0), 0,
                options.beta1, options.beta2);
        this.discriminatorOptimizer = new Adam(manager, new Schedule(options.lrD, 0, 1, 1.0), 0,
                options.beta1, options.beta2);
        AdversarialLoss dl;
        AdversarialLoss gl;
        switch (kind) {
            case WGAN_GP -> {
                dl = WganLoss.builder().build();
                gl = WganLoss.builder().optRole(GanRole.GENERATOR).build();
            }
            case HINGE -> {
                dl = HingeGanLoss.builder().build();
                gl = HingeGanLoss.builder().optRole(GanRole.GENERATOR).build();
            }
            default -> {
                dl = GanBceLoss.builder().build();
                gl = GanBceLoss.builder().optRole(GanRole.GENERATOR).build();
            }
        }
        this.steps = GanSteps.builder().setManager(manager).setGenerator(generator)
                .setDiscriminator(discriminator).setLosses(dl, gl)
                .setOptimizers(generatorOptimizer, discriminatorOptimizer)
                .setLatentDim(options.zDim).optSeed(options.seed).build();
        this.store = new ParameterStore(manager, false);
        this.source = new Source(train, options.batchSize, options.seed);
    }

    private static Block newGenerator(GanOptions o) {
        return Dcgan.generator().setLatentDim(o.zDim).optWidth(o.gWidth).build();
    }

    /** An untrained generator of the same architecture (the evaluation's ceiling). */
    public Block untrainedGenerator(NDManager m) {
        Block g = newGenerator(options);
        g.initialize(m, DataType.FLOAT32, new Shape(2, options.zDim));
        return g;
    }

    @Override
    public String name() {
        return "gan-" + kind.cliName();
    }

    /** The options. */
    public GanOptions options() {
        return options;
    }

    @Override
    public BatchSource<ImageBatch> batches() {
        return source;
    }

    @Override
    public StepResult step(StepContext ctx, ImageBatch batch) {
        NDArray real = ctx.manager().create(batch.pixels(),
                new Shape(batch.size(), 1, batch.height(), batch.width()));
        long drawsBefore = steps.noiseDraws();
        if (kind == GanOptions.Kind.WGAN_GP) {
            // a penalty per step, seeded by the step: resumed runs draw the same interpolations
            steps.setGradientPenalty(GradientPenalty.builder().optLambda(options.gpLambda)
                    .optSeed(ShuffleSampler.mix(options.seed, -7, (int) ctx.step())
                            ^ ctx.step() << 32).build());
        }
        GanSteps.DiscriminatorLosses d = steps.discriminatorStep(real);
        if (!d.applied()) {
            steps.setNoiseDraws(drawsBefore); // a repeated step draws the same noise
            throw nonFinite(d);
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        if ((ctx.step() + 1) % options.dSteps == 0) {
            double g = steps.generatorStep(batch.size());
            if (Double.isFinite(g)) {
                long t = generatorOptimizer.step();
                ema.update(Math.min(options.ema, (1.0 + t) / (10.0 + t)), ctx.manager());
                scalars.put("g_loss", g);
            } else {
                scalars.put("g_skipped", 1.0); // not applied: a non-finite loss or gradient
            }
        }
        switch (kind) {
            case GAN_BCE -> {
                scalars.put("d_real", d.realProbability());
                scalars.put("d_fake", d.fakeProbability());
            }
            case WGAN_GP -> {
                scalars.put("wasserstein", d.realScore() - d.fakeScore());
                scalars.put("gp", d.penalty());
            }
            default -> {
                scalars.put("d_real", d.realScore());
                scalars.put("d_fake", d.fakeScore());
            }
        }
        return new StepResult((float) d.total(), batch.size(), scalars);
    }

    @Override
    public double learningRate() {
        return discriminatorOptimizer.learningRate();
    }

    /**
     * {@code n} samples (n·H·W values in [−1, 1]) of the moving average (or, with {@code
     * useEma} false, of the trained generator), from noise seeded by {@code seed}.
     */
    public float[] sample(int n, long seed, boolean useEma) {
        return sample(useEma ? ema.target() : generator, n, seed, options.zDim, manager);
    }

    /** The network that samples by default: the moving average unless --no-ema. */
    public boolean samplesWithEma() {
        return !options.noEma;
    }

    /**
     * {@code n} samples of a generator from noise seeded by {@code seed}, in training mode (batch
     * statistics) in chunks of {@value #SAMPLE_CHUNK}.
     */
    public static float[] sample(Block g, int n, long seed, int zDim, NDManager m) {
        Random r = new Random(seed);
        ParameterStore ps = new ParameterStore(m, false);
        float[] out = null;
        int pos = 0;
        for (int start = 0; start < n; start += SAMPLE_CHUNK) {
            int len = Math.min(SAMPLE_CHUNK, n - start);
            float[] z = new float[len * zDim];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) r.nextGaussian();
            }
            try (NDManager s = m.newSubManager()) {
                NDArray x = g.forward(ps, new NDList(s.create(z, new Shape(len, zDim))), true)
                        .singletonOrThrow();
                float[] f = x.toFloatArray();
                if (out == null) {
                    out = new float[n * (f.length / len)];
                }
                System.arraycopy(f, 0, out, pos, f.length);
                pos += f.length;
            }
        }
        return out;
    }

    /**
     * What a discriminator step that made no update reports: its loss, or, with a finite loss,
     * its gradients (which the engine's {@code NonFiniteListener} repeats, as for the other jobs:
     * PyTorch's CPU convolution backward can produce NaN gradients from a finite loss).
     */
    static NonFiniteException nonFinite(GanSteps.DiscriminatorLosses d) {
        return Double.isFinite(d.total())
                ? new NonFiniteException("discriminator gradients", d.gradientSum())
                : new NonFiniteException("discriminator loss", d.total());
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        generator.saveParameters(out);
        discriminator.saveParameters(out);
        ema.target().saveParameters(out);
        generatorOptimizer.save(out);
        discriminatorOptimizer.save(out);
        out.writeLong(steps.noiseDraws());
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        loadTrained(generator, in);
        loadTrained(discriminator, in);
        try {
            ema.target().loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint does not match the generator: " + e.getMessage(), e);
        }
        ema.freezeTarget();
        generatorOptimizer.load(in);
        discriminatorOptimizer.load(in);
        steps.setNoiseDraws(in.readLong());
    }

    private void loadTrained(Block b, DataInputStream in) throws IOException {
        try {
            b.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint does not match the network: " + e.getMessage(), e);
        }
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The store the job's own forward passes use. */
    ParameterStore store() {
        return store;
    }

    @Override
    public void close() {
        generatorOptimizer.close();
        discriminatorOptimizer.close();
        manager.close();
    }

    /** Seeded shuffled batches of real images scaled to [−1, 1]. */
    private static final class Source implements BatchSource<ImageBatch> {
        private final ImageDataset data;
        private final ShuffleSampler sampler;

        Source(ImageDataset data, int batchSize, long seed) {
            this.data = data;
            this.sampler = new ShuffleSampler(data.size(), batchSize, 0, 1, seed);
        }

        @Override
        public int batchesPerEpoch() {
            return sampler.batchesPerEpoch();
        }

        @Override
        public Epoch<ImageBatch> open(int epoch, int firstBatch) {
            return new Epoch<>() {
                private int b = firstBatch;

                @Override
                public boolean hasNext() {
                    return b < sampler.batchesPerEpoch();
                }

                @Override
                public ImageBatch next() {
                    int[] idx = sampler.batch(epoch, b++);
                    int hw = data.imageSize();
                    float[] px = new float[idx.length * hw];
                    byte[] all = data.pixels();
                    for (int i = 0; i < idx.length; i++) {
                        int off = idx[i] * hw;
                        for (int j = 0; j < hw; j++) {
                            px[i * hw + j] = (all[off + j] & 0xFF) / 127.5f - 1f;
                        }
                    }
                    return new ImageBatch(px, idx.length, data.height(), data.width());
                }

                @Override
                public void close() {}
            };
        }
    }
}
