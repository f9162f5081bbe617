package io.github.selfsup4j.supervised;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.augment.LabelledBatch;
import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.augment.ViewBatches;
import io.github.selfsup4j.augment.ViewRecipe;
import io.github.selfsup4j.data.ClassBalancedSampler;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.engine.BatchSource;
import io.github.selfsup4j.engine.Job;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.eval.Features;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.method.Optimization;
import io.github.selfsup4j.method.SslMethod;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.method.ViewSource;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.optim.Schedule;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The common part of metric-learning jobs: P×K class-balanced batches ({@link
 * ClassBalancedSampler}) of one lightly augmented view with their labels, the project's encoder
 * followed by a linear embedding head, a labelled loss of the library on (embeddings, labels),
 * the optimiser with its schedule, and checkpoints. A method is its loss and its options.
 *
 * <p>The embedding is L2-normalised where it is used: the losses normalise inside (Euclidean on
 * normalised embeddings, cosine, SupCon), evaluation and {@code embed} normalise the rows.
 */
public class MetricMethod implements Job<LabelledBatch> {

    private final String name;
    private final MetricSetup setup;
    private final NDManager manager;
    private final ViewBatches views;
    private final Block encoder;
    private final SequentialBlock network;
    private final SelfSupLoss loss;
    private final ParameterStore ps;
    private final Optimization optimization;

    /**
     * Builds the job and initialises its network.
     *
     * @param name the method's name
     * @param setup options, labelled images, normalisation, rank
     * @param loss a loss with the (embeddings, labels) form
     * @throws IllegalArgumentException naming the option when P or K does not fit the data
     */
    protected MetricMethod(String name, MetricSetup setup, SelfSupLoss loss) {
        this.name = name;
        this.setup = setup;
        this.loss = loss;
        SslOptions o = setup.options();
        MetricOptions m = setup.metric();
        ImageDataset train = setup.train();
        ClassBalancedSampler sampler = new ClassBalancedSampler(train.labels(),
                m.classesPerBatch, m.samplesPerClass, false, setup.rank(), setup.world(), o.seed);
        this.views = new ViewBatches(train.images(), sampler, recipe(setup), o.seed,
                o.augmentThreads, 4);
        this.manager = NDManager.newBaseManager();
        this.ps = new ParameterStore(manager, false);
        this.encoder = Encoders.encoder(o.encoder, o.width, o.poolGrid);
        this.network = newNetwork(encoder, m.embeddingDim);
        network.initialize(manager, DataType.FLOAT32,
                new Shape(m.batchSize(), 1, train.height(), train.width()));
        this.optimization = new Optimization(manager, o, setup.world(),
                views.batchesPerEpoch(), collect(network));
    }

    /**
     * The defaults metric learning changes in the shared options: a light view, 10 epochs (on
     * the validation split, P = 10: Precision@1 0.9078 after 10 epochs; 3 epochs scored 0.877 on
     * the test split; 10 epochs and the evaluation fit the 15-minute budget on 2 cores).
     */
    static void sharedDefaults(SslOptions s) {
        s.epochs = 10;
        // one compute thread, as the GAN job: with a small CNN, two threads ran 4.8x slower
        // than one (285 vs 1,380 img/s) as soon as anything else used the second core
        s.threads = 1;
        s.cropMinScale = 0.8;
        s.flipProbability = 0.5;
        s.jitterProbability = 0.0;
    }

    /** One view per image: a mild crop and a flip (the shared options), no second view. */
    private static ViewRecipe recipe(MetricSetup setup) {
        return new ViewRecipe(List.of(SslMethod.augmenter(setup.options(),
                setup.normalization())), 1);
    }

    /** The encoder followed by the linear embedding head (not initialised when new). */
    static SequentialBlock newNetwork(Block encoder, int embeddingDim) {
        return new SequentialBlock().add(encoder)
                .add(Linear.builder().setUnits(embeddingDim).build());
    }

    private static Map<String, Parameter> collect(Block b) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.put(p.getKey(), p.getValue());
            }
        }
        return out;
    }

    @Override
    public String name() {
        return name;
    }

    /** The setup. */
    public MetricSetup setup() {
        return setup;
    }

    /** The loss. */
    public SelfSupLoss lossFunction() {
        return loss;
    }

    /** The encoder (its features are what {@code embed} writes for SSL runs). */
    public Block encoder() {
        return encoder;
    }

    /** Encoder and embedding head: the network whose normalised output is the embedding. */
    public Block network() {
        return network;
    }

    @Override
    public BatchSource<LabelledBatch> batches() {
        int[] labels = setup.train().labels();
        return new ViewSource<>(views, b -> {
            int[] y = new int[b.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = labels[b.images()[i]];
            }
            return new LabelledBatch(b, y);
        });
    }

    @Override
    public StepResult step(StepContext ctx, LabelledBatch batch) {
        ViewBatch.View v = batch.views().view(0);
        NDArray x = ctx.manager().create(v.pixels(), new Shape(v.rows(), 1, v.height(),
                v.width()));
        long[] y = new long[batch.labels().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = batch.labels()[i];
        }
        NDArray labels = ctx.manager().create(y);
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray z = network.forward(ps, new NDList(x), true).singletonOrThrow();
            NDArray l = loss.forward(Map.of("embeddings", z, "labels", labels)).value();
            gc.backward(l);
            value = l.getFloat();
        }
        optimization.update(value);
        return StepResult.of(value, batch.views().size());
    }

    /** The L2-normalised embeddings of every image (frozen network, evaluation mode). */
    public float[][] embed(ImageDataset data) {
        return embed(network, data, setup, manager);
    }

    /** The L2-normalised output of {@code net} for every image. */
    static float[][] embed(Block net, ImageDataset data, MetricSetup setup, NDManager manager) {
        float[][] f = Features.extract(net, data, setup.normalization().mean(),
                setup.normalization().std(), setup.options().evalBatch, manager);
        for (float[] row : f) {
            double s = 0;
            for (float v : row) {
                s += (double) v * v;
            }
            double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (row[j] * inv);
            }
        }
        return f;
    }

    /** A new network of this job's architecture with random weights (the random baseline). */
    SequentialBlock freshNetwork() {
        SslOptions o = setup.options();
        return newNetwork(Encoders.encoder(o.encoder, o.width, o.poolGrid),
                setup.metric().embeddingDim);
    }

    /** The trainable parameters. */
    public Map<String, Parameter> trainableParameters() {
        return optimization.parameters();
    }

    /** The learning-rate schedule. */
    public Schedule schedule() {
        return optimization.schedule();
    }

    /** Replaces the schedule (a resumed run that changes its plan). */
    public void setSchedule(Schedule s) {
        optimization.setSchedule(s);
    }

    /** Batches per epoch on this rank. */
    public int batchesPerEpoch() {
        return views.batchesPerEpoch();
    }

    @Override
    public double learningRate() {
        return optimization.learningRate();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        network.saveParameters(out);
        optimization.save(out);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        try {
            network.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint does not match the network: " + e.getMessage(), e);
        }
        for (Parameter p : collect(network).values()) {
            p.getArray().setRequiresGradient(true);
        }
        optimization.setParameters(collect(network)); // loaded arrays are fresh
        optimization.load(in);
    }

    @Override
    public void close() {
        optimization.close();
        manager.close();
    }
}
