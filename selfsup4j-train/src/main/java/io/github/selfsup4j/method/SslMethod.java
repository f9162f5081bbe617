package io.github.selfsup4j.method;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.augment.Augmenter;
import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.augment.ViewBatches;
import io.github.selfsup4j.augment.ViewRecipe;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.Normalization;
import io.github.selfsup4j.data.ShuffleSampler;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.BatchSource;
import io.github.selfsup4j.engine.Job;
import io.github.selfsup4j.engine.NonFiniteException;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.engine.StepResult;
import io.github.selfsup4j.eval.Evaluation;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.model.syncbn.BatchNormSync;
import io.github.selfsup4j.optim.Schedule;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The common part of self-supervised methods (lightly's shape): a method owns its networks and
 * says how views become a loss; this class does the rest of the step (views to arrays, backward,
 * finite checks, the optimiser update), the batches (every image once per epoch, two augmented
 * views each by default), the optimiser with its schedule, and checkpoints.
 *
 * <p>A subclass builds its networks in its constructor and ends it with {@link
 * #initialize(Block...)}. It sees {@link ViewBatch}es only: no labels.
 */
public abstract class SslMethod implements Job<ViewBatch> {

    protected final SslSetup setup;
    protected final NDManager manager;
    private final ViewBatches views;
    private final ParameterStore ps;
    private final List<Block> trained = new ArrayList<>();
    private Optimization optimization;

    /**
     * Prepares the method's data, with its view recipe.
     *
     * @param setup options, images, normalisation, rank
     * @param recipe how each image becomes views
     */
    protected SslMethod(SslSetup setup, ViewRecipe recipe) {
        this.setup = setup;
        SslOptions o = setup.options();
        this.manager = NDManager.newBaseManager();
        this.ps = new ParameterStore(manager, false);
        this.views = new ViewBatches(setup.train(),
                new ShuffleSampler(setup.train().size(), o.batchSize, setup.rank(),
                        setup.world(), o.seed),
                recipe, o.seed, o.augmentThreads, 4);
    }

    /** Two views of the shared augmentation per image, {@code pairs} groups per image. */
    protected static ViewRecipe twoViews(SslSetup setup, int pairs) {
        Augmenter a = augmenter(setup);
        return new ViewRecipe(List.of(a, a), pairs);
    }

    /** The shared augmentation of the options. */
    protected static Augmenter augmenter(SslSetup setup) {
        return augmenter(setup.options(), setup.normalization());
    }

    /** The augmentation of the shared options, normalised with {@code n}. */
    public static Augmenter augmenter(SslOptions o, Normalization n) {
        return new Augmenter(new Augmenter.Config(o.cropMinScale, 1.0, o.flipProbability,
                o.jitterProbability, o.brightness, o.contrast, o.noiseStd, n.mean(), n.std()));
    }

    /** A new encoder of the options' architecture (not initialised). */
    protected static Block newEncoder(SslOptions o) {
        return Encoders.encoder(o.encoder, o.width, o.poolGrid, o.norm);
    }

    /** A new projection head of the options' shape (not initialised). */
    protected static Block newProjectionHead(SslOptions o) {
        return Encoders.projectionHead(o.projectionHidden, o.projectionDim, o.projectionLayers,
                o.norm);
    }

    /**
     * Initialises the trained networks and creates the optimiser over their parameters. Call at
     * the end of the subclass constructor, after any other network was built.
     */
    protected final void initialize(Block... networks) {
        SslOptions o = setup.options();
        Shape input = new Shape((long) o.batchSize, 1, setup.train().height(),
                setup.train().width());
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Block b : networks) {
            if (!b.isInitialized()) {
                b.initialize(manager, DataType.FLOAT32, input);
            }
            trained.add(b);
            for (Pair<String, Parameter> p : b.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params.put(trained.size() + "." + p.getKey(), p.getValue());
                }
            }
        }
        optimization = new Optimization(manager, o, setup.world(), views.batchesPerEpoch(),
                params);
    }

    /** The encoder whose features are evaluated. */
    public abstract Block encoder();

    /**
     * The loss of a step, inside a gradient collector.
     *
     * @param ps the parameter store
     * @param views the batch's views (rows s·P+p: group p of image s), one array per slot
     * @param ctx the step's context
     * @return the scalar loss
     */
    protected abstract NDArray loss(ParameterStore ps, List<NDArray> views, StepContext ctx);

    /**
     * After the optimiser step (momentum updates, queue updates): the only place where a method
     * changes state besides the optimiser, so a step that fails leaves no trace.
     */
    protected void afterUpdate(StepContext ctx) {}

    /** Networks saved beside the trained ones (momentum copies), in a fixed order. */
    protected List<Block> otherNetworks() {
        return List.of();
    }

    /** Writes state other than networks and optimiser (a queue, a counter). */
    protected void saveExtra(DataOutputStream out) throws IOException {}

    /** Restores what {@link #saveExtra} wrote. */
    protected void loadExtra(DataInputStream in) throws IOException {}

    /** Called after networks were loaded (e.g. to freeze momentum copies again). */
    protected void afterLoad() {}

    @Override
    public BatchSource<ViewBatch> batches() {
        return new ViewSource<>(views, b -> b);
    }

    /**
     * The step's loss, ready for its backward pass. The default wraps {@link #loss}; across
     * processes {@link TwoViewMethod} gathers its library loss instead.
     */
    protected StepLoss stepLoss(ParameterStore ps, List<NDArray> views, StepContext ctx) {
        return StepLoss.local(loss(ps, views, ctx));
    }

    /**
     * One step. Across processes every rank makes the same collective calls in the same order
     * whatever happens (the loss, then the gradients), and decides on the same numbers: the
     * global loss and the summed gradients are equal on every rank, so either every rank throws
     * {@link NonFiniteException} or none does, and the ranks never diverge.
     */
    @Override
    public StepResult step(StepContext ctx, ViewBatch batch) {
        List<NDArray> arrays = new ArrayList<>();
        for (ViewBatch.View v : batch.views()) {
            arrays.add(ctx.manager().create(v.pixels(),
                    new Shape(v.rows(), 1, v.height(), v.width())));
        }
        Collective c = ctx.collective();
        StepLoss loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                BatchNormSync bn = BatchNormSync.open(c)) {
            loss = stepLoss(ps, arrays, ctx);
            loss.backward(gc, c.worldSize(), bn.needsGraph());
            bn.backward(); // SyncBatchNorm's gradient terms (nothing with one process)
        }
        float value = (float) loss.value(c);
        if (c.worldSize() > 1) {
            sumGradients(c, ctx.manager());
        }
        optimization.update(value);
        afterUpdate(ctx);
        return StepResult.of(value, batch.size());
    }

    /**
     * Sums every parameter gradient over the ranks (one all-reduce of all of them, in the
     * parameters' fixed order). Summed, not averaged: each rank already holds the gradient of the
     * global-batch loss for its own rows. A non-finite element on any rank makes the sum
     * non-finite on every rank.
     */
    private void sumGradients(Collective c, NDManager scratch) {
        List<NDArray> grads = new ArrayList<>();
        int total = 0;
        for (Parameter p : optimization.parameters().values()) {
            NDArray g = p.getArray().getGradient();
            grads.add(g);
            total += Math.toIntExact(g.size());
        }
        float[] flat = new float[total];
        int pos = 0;
        for (NDArray g : grads) {
            float[] v = g.toFloatArray();
            System.arraycopy(v, 0, flat, pos, v.length);
            pos += v.length;
        }
        float[] sum = c.allReduceSum(flat);
        pos = 0;
        for (NDArray g : grads) {
            int n = (int) g.size();
            NDArray summed = scratch.create(java.util.Arrays.copyOfRange(sum, pos, pos + n),
                    g.getShape());
            g.set(new NDIndex(":"), summed);
            summed.close();
            g.close();
            pos += n;
        }
    }

    /**
     * Scores the frozen encoder: kNN and linear probe with {@code memory} as the reference and
     * probe-training set and {@code queries} as the scored set, and, when asked, the baselines
     * (raw pixels, the same encoder with random weights) through the same code.
     */
    public Evaluation.Report evaluate(ImageDataset memory, ImageDataset queries,
            boolean baselines, PrintStream log) {
        SslOptions o = setup.options();
        return Evaluation.run(encoder(), () -> newEncoder(o), new Evaluation.Settings(o.seed,
                o.probeEpochs, o.evalBatch, setup.normalization()), memory, queries, baselines,
                manager, log);
    }

    /** The trainable parameters, by names stable across runs. */
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

    /** The options. */
    public SslSetup setup() {
        return setup;
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
        for (Block b : trained) {
            b.saveParameters(out);
        }
        for (Block b : otherNetworks()) {
            b.saveParameters(out);
        }
        optimization.save(out);
        saveExtra(out);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        for (Block b : trained) {
            loadParameters(b, in);
            for (Pair<String, Parameter> p : b.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
        }
        for (Block b : otherNetworks()) {
            loadParameters(b, in);
        }
        // loaded arrays are fresh: collect the parameters again under their stable names
        Map<String, Parameter> again = new LinkedHashMap<>();
        for (int i = 0; i < trained.size(); i++) {
            for (Pair<String, Parameter> p : trained.get(i).getParameters()) {
                if (p.getValue().requiresGradient()) {
                    again.put((i + 1) + "." + p.getKey(), p.getValue());
                }
            }
        }
        optimization.setParameters(again);
        optimization.load(in);
        loadExtra(in);
        afterLoad();
    }

    private void loadParameters(Block b, DataInputStream in) throws IOException {
        try {
            b.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint does not match the network: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        optimization.close();
        manager.close();
    }
}
