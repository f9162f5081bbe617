package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.loss.contrastive.InfoNceLoss;
import io.github.selfsup4j.loss.contrastive.NegativeQueue;
import io.github.selfsup4j.model.MomentumNetwork;
import io.github.selfsup4j.numerics.Ops;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine.Option;

/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020): a query network trained by InfoNCE against keys
 * from a momentum copy ({@link MomentumNetwork}) and a queue of past keys ({@link
 * NegativeQueue}). The loss is symmetrised over the two views: both views serve as queries
 * against the other view's keys, with the queue as it was before the step.
 *
 * <p>The batch's keys enter the queue once per optimiser step, after the update ({@link
 * #afterUpdate}): a step that is repeated (non-finite gradients) or evaluated twice never
 * enqueues twice, and never sees its own keys as negatives.
 *
 * <p>Shuffling BatchNorm, which MoCo uses across GPUs to stop the key encoder from leaking batch
 * statistics, is emulated on one device as MoCo's CIFAR demo does: keys are computed on a random
 * permutation of the batch in {@code splits} sub-batches, each normalised on its own.
 */
public final class Moco extends SslMethod {

    /** MoCo's options: MoCo v2's CIFAR settings. */
    public static final class Options implements MethodOptions {
        @Option(names = "--temperature", description = "InfoNCE temperature τ (default"
                + " ${DEFAULT-VALUE}, MoCo v2's).")
        public double temperature = 0.2;

        @Option(names = "--queue-size", description = "Negatives in the queue (default"
                + " ${DEFAULT-VALUE}).")
        public int queueSize = 4096;

        @Option(names = "--moco-momentum", description = "Key-encoder momentum (default"
                + " ${DEFAULT-VALUE}).")
        public double mocoMomentum = 0.99;

        @Option(names = "--moco-splits", description = "Sub-batches of the shuffled key forward"
                + " (default ${DEFAULT-VALUE}).")
        public int mocoSplits = 4;

        @Override
        public void validate() {
            Check.positive("--temperature", temperature);
            Check.atLeast("--queue-size", queueSize, 1);
            Check.inRange("--moco-momentum", mocoMomentum, 0, 1, true);
            Check.atLeast("--moco-splits", mocoSplits, 1);
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("moco",
            "MoCo v2: InfoNCE against a momentum encoder's queue", Options.class, Options::new,
            s -> {}, Moco::new);

    private final Block encoder;
    private final SequentialBlock query;
    private final MomentumNetwork key;
    private final InfoNceLoss loss;
    private final NegativeQueue queue;
    private final double momentum;
    private final int splits;
    private final long seed;

    private Moco(SslSetup setup, Options o) {
        super(setup, twoViews(setup, 1));
        SslOptions s = setup.options();
        this.encoder = newEncoder(s);
        this.query = new SequentialBlock().add(encoder).add(newProjectionHead(s));
        this.momentum = o.mocoMomentum;
        this.splits = o.mocoSplits;
        this.seed = s.seed;
        initialize(query);
        this.key = new MomentumNetwork(query,
                new SequentialBlock().add(newEncoder(s)).add(newProjectionHead(s)), manager,
                new ai.djl.ndarray.types.Shape(s.batchSize, 1, setup.train().height(),
                        setup.train().width()));
        this.queue = new NegativeQueue(manager, o.queueSize, s.projectionDim, s.seed);
        this.loss = InfoNceLoss.builder().optTemperature(o.temperature).optName("moco").build();
    }

    @Override
    public String name() {
        return "moco";
    }

    @Override
    public Block encoder() {
        return encoder;
    }

    /** The queue of negatives. */
    public NegativeQueue queue() {
        return queue;
    }

    @Override
    protected NDArray loss(ParameterStore ps, List<NDArray> views, StepContext ctx) {
        NDArray viewA = views.get(0);
        NDArray viewB = views.get(1);
        long n = viewA.getShape().get(0);
        NDArray q = query.forward(ps, new NDList(NDArrays.concat(new NDList(viewA, viewB), 0)),
                true).singletonOrThrow();
        // the shuffles are seeded by the global step, so a repeated step shuffles alike
        NDArray kA = keys(ps, viewA, ctx.step() * 2);
        NDArray kB = keys(ps, viewB, ctx.step() * 2 + 1);
        NDArray negatives = queue.negatives(viewA.getManager());
        NDArray l1 = loss.apply(q.get("0:" + n), kB, negatives);
        NDArray l2 = loss.apply(q.get(n + ":"), kA, negatives);
        queue.stage(allKeys(kB, ctx));
        return Ops.scale(l1.add(l2), 0.5);
    }

    /**
     * The keys of every rank, in rank order (one all-gather), so that every rank's queue
     * receives the same keys, as one process with the global batch would.
     */
    private static NDArray allKeys(NDArray keys, StepContext ctx) {
        Collective c = ctx.collective();
        if (c.worldSize() == 1) {
            return keys;
        }
        long[] dims = keys.getShape().getShape().clone();
        dims[0] *= c.worldSize();
        return keys.getManager().create(c.allGather(keys.toFloatArray()),
                new ai.djl.ndarray.types.Shape(dims));
    }

    /** Keys of a batch: shuffled, in sub-batches, unshuffled, detached. */
    private NDArray keys(ParameterStore ps, NDArray views, long stream) {
        int n = (int) views.getShape().get(0);
        int[] perm = io.github.selfsup4j.data.ShuffleSampler.shuffle(n,
                new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream).nextLong());
        int[] inverse = new int[n];
        for (int i = 0; i < n; i++) {
            inverse[perm[i]] = i;
        }
        NDManager m = views.getManager();
        NDArray shuffled = views.get(m.create(perm));
        int parts = Math.max(1, Math.min(splits, n / 2));
        NDList outs = new NDList();
        long per = (n + parts - 1) / parts;
        for (long s = 0; s < n; s += per) {
            NDArray part = shuffled.get(s + ":" + Math.min(n, s + per));
            outs.add(key.target().forward(ps, new NDList(part), true).singletonOrThrow());
        }
        return NDArrays.concat(outs, 0).get(m.create(inverse)).stopGradient();
    }

    @Override
    protected void afterUpdate(StepContext ctx) {
        key.update(momentum, ctx.manager());
        queue.commit();
    }

    @Override
    protected List<Block> otherNetworks() {
        return List.of(key.target());
    }

    @Override
    protected void afterLoad() {
        key.freezeTarget();
    }

    @Override
    protected void saveExtra(DataOutputStream out) throws IOException {
        out.writeInt(queue.pointer());
        float[] q;
        try (NDManager m = NDManager.newBaseManager()) {
            q = queue.negatives(m).toFloatArray();
        }
        out.writeInt(q.length);
        for (float f : q) {
            out.writeFloat(f);
        }
    }

    @Override
    protected void loadExtra(DataInputStream in) throws IOException {
        int pointer = in.readInt();
        float[] q = new float[in.readInt()];
        for (int i = 0; i < q.length; i++) {
            q[i] = in.readFloat();
        }
        queue.restore(q, pointer);
    }

    @Override
    public void close() {
        queue.close();
        super.close();
    }
}
