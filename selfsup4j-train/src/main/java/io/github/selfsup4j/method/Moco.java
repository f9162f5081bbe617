package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.github.selfsup4j.loss.contrastive.InfoNceLoss;
import io.github.selfsup4j.loss.contrastive.NegativeQueue;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020): a query network trained by InfoNCE against keys
 * from a momentum-updated copy and a queue of past keys ({@link NegativeQueue}). The loss is
 * symmetrised over the two views, as in most single-device MoCo recipes: both views serve as
 * queries against the other view's keys, with the queue taken before the batch's keys are
 * enqueued.
 *
 * <p>Shuffling BatchNorm, which MoCo uses across GPUs to stop the key encoder from leaking batch
 * statistics, is emulated on one device as MoCo's CIFAR demo does: keys are computed on a random
 * permutation of the batch in {@code splits} sub-batches, each normalised on its own.
 */
public final class Moco implements Method {

    private final Block encoder;
    private final SequentialBlock query;
    private final SequentialBlock key;
    private final InfoNceLoss loss;
    private final NegativeQueue queue;
    private final double momentum;
    private final int splits;
    private final long seed;
    private long calls;

    /**
     * Creates MoCo.
     *
     * @param encoder the query encoder
     * @param head the query projection head
     * @param keyEncoder a second encoder of the same architecture
     * @param keyHead a second head of the same architecture
     * @param temperature InfoNCE temperature
     * @param queueSize negatives in the queue
     * @param embeddingDim the head's output size
     * @param momentum the key network's momentum m (θk ← m θk + (1 − m) θq)
     * @param splits sub-batches of the key forward (shuffled BatchNorm)
     * @param seed seed of the queue's initial keys and of the key shuffles
     * @param manager where parameters live
     * @param input the shape of one batch of one view
     */
    public Moco(Block encoder, Block head, Block keyEncoder, Block keyHead, double temperature,
            int queueSize, int embeddingDim, double momentum, int splits, long seed,
            NDManager manager, Shape input) {
        this.encoder = encoder;
        this.query = new SequentialBlock().add(encoder).add(head);
        this.key = new SequentialBlock().add(keyEncoder).add(keyHead);
        this.momentum = momentum;
        this.splits = splits;
        this.seed = seed;
        query.initialize(manager, DataType.FLOAT32, input);
        key.initialize(manager, DataType.FLOAT32, input);
        for (Pair<String, Parameter> p : key.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        copyQueryToKey(1.0, manager);
        this.queue = new NegativeQueue(manager, queueSize, embeddingDim, seed);
        this.loss = InfoNceLoss.builder().optTemperature(temperature).build();
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
    public Map<String, Parameter> trainableParameters() {
        return Networks.trainable(query);
    }

    @Override
    public NDArray loss(ParameterStore ps, NDArray viewA, NDArray viewB) {
        long n = viewA.getShape().get(0);
        NDArray q = query.forward(ps, new NDList(NDArrays.concat(new NDList(viewA, viewB), 0)),
                true).singletonOrThrow();
        NDArray kA = keys(ps, viewA);
        NDArray kB = keys(ps, viewB);
        NDArray negatives = queue.negatives(viewA.getManager());
        NDArray l1 = loss.apply(q.get("0:" + n), kB, negatives);
        NDArray l2 = loss.apply(q.get(n + ":"), kA, negatives);
        queue.enqueue(kB);
        return l1.add(l2).div(viewA.getManager().create(2f));
    }

    /** Keys of a batch: shuffled, in sub-batches, unshuffled, detached. */
    private NDArray keys(ParameterStore ps, NDArray views) {
        int n = (int) views.getShape().get(0);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        // seeded per call from a counter the checkpoint keeps, so a resumed run shuffles alike
        java.util.SplittableRandom shuffle = new java.util.SplittableRandom(
                seed * 0x9E3779B97F4A7C15L + (calls++));
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
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
            outs.add(key.forward(ps, new NDList(part), true).singletonOrThrow());
        }
        return NDArrays.concat(outs, 0).get(m.create(inverse)).stopGradient();
    }

    @Override
    public void afterStep(NDManager scratch) {
        copyQueryToKey(1.0 - momentum, scratch);
    }

    /** θk ← (1 − a) θk + a θq. */
    private void copyQueryToKey(double a, NDManager scratch) {
        ai.djl.nn.ParameterList qp = query.getParameters();
        ai.djl.nn.ParameterList kp = key.getParameters();
        try (NDManager tmp = scratch.newSubManager()) {
            for (int i = 0; i < qp.size(); i++) {
                Parameter q = qp.get(i).getValue();
                if (!q.requiresGradient()) {
                    continue; // BatchNorm running statistics stay the key network's own
                }
                NDArray qa = q.getArray().duplicate();
                qa.attach(tmp);
                kp.get(i).getValue().getArray().muli(1.0 - a).addi(qa.muli(a));
            }
        }
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        query.saveParameters(out);
        key.saveParameters(out);
        out.writeLong(calls);
        out.writeInt(queue.pointer());
        float[] q;
        try (NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            q = queue.negatives(m).toFloatArray();
        }
        out.writeInt(q.length);
        for (float f : q) {
            out.writeFloat(f);
        }
    }

    @Override
    public void load(NDManager manager, DataInputStream in) throws IOException {
        Networks.load(query, manager, in);
        Networks.load(key, manager, in);
        for (Pair<String, Parameter> p : key.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        calls = in.readLong();
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
    }
}
