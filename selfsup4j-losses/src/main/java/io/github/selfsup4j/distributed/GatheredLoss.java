package io.github.selfsup4j.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loss over the batches of all ranks, with exact gradients for every rank's local inputs.
 *
 * <p>DJL has no custom backward, so the gather's backward is done in two passes:
 *
 * <ol>
 *   <li>{@link #forward} all-gathers the local inputs' values into fresh leaf arrays (the global
 *       batch) and computes this rank's share of the loss on them. Back-propagating {@link
 *       #objective()} gives the gradient of this share with respect to the whole global batch.
 *   <li>{@link #surrogate()} all-reduces those gradients, so that every rank holds the gradient of
 *       the full loss, takes the rows that belong to this rank and returns {@code sum(local ·
 *       g.stopGradient())}: back-propagating it pushes exactly {@code dL/dlocal} into the model.
 * </ol>
 *
 * <pre>{@code
 * GatheredLoss g = GatheredLoss.forward(loss, collective, Map.of("z_i", zi, "z_j", zj));
 * collector.backward(g.objective());   // pass 1: gradient of this rank's share
 * collector.backward(g.surrogate());   // pass 2: exact gradient into the model
 * float lossValue = g.value();         // the global loss, equal on all ranks
 * }</pre>
 *
 * The values and gradients equal those of one process holding the whole batch (checked by a test
 * that simulates 2 and 4 ranks with {@link LocalCollective}). Every rank's local batch must have
 * the same number of rows. Values travel as float32.
 */
public final class GatheredLoss {

    private final Collective collective;
    private final Map<String, NDArray> local;
    private final Map<String, NDArray> leaves;
    private final NDArray share;
    private final float value;
    private final long rowsPerRank;

    private GatheredLoss(
            Collective collective,
            Map<String, NDArray> local,
            Map<String, NDArray> leaves,
            NDArray share,
            float value,
            long rowsPerRank) {
        this.collective = collective;
        this.local = local;
        this.leaves = leaves;
        this.share = share;
        this.value = value;
        this.rowsPerRank = rowsPerRank;
    }

    /**
     * Gathers the local inputs and computes this rank's share of the loss. Collective call: every
     * rank must call it with the same input names.
     *
     * @param loss the loss
     * @param collective this rank's collective
     * @param localInputs this rank's inputs by name, all with the same number of rows
     * @return the gathered loss
     */
    public static GatheredLoss forward(
            Gatherable loss, Collective collective, Map<String, NDArray> localInputs) {
        long n = -1;
        for (Map.Entry<String, NDArray> e : localInputs.entrySet()) {
            long rows = e.getValue().getShape().get(0);
            if (n >= 0 && rows != n) {
                throw new IllegalArgumentException(
                        "gathered loss: input " + e.getKey() + " has " + rows
                                + " rows, the others " + n + "; all inputs need the same rows");
            }
            n = rows;
        }
        int world = collective.worldSize();
        float[] sizes = collective.allGather(new float[] {n});
        for (int r = 0; r < world; r++) {
            if (sizes[r] != n) {
                throw new IllegalArgumentException(
                        "gathered loss: rank " + r + " has " + (long) sizes[r]
                                + " rows, rank " + collective.rank() + " has " + n
                                + "; every rank needs the same local batch size");
            }
        }
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : localInputs.entrySet()) {
            NDArray x = e.getValue();
            float[] all = collective.allGather(x.toType(DataType.FLOAT32, false).toFloatArray());
            long[] dims = x.getShape().getShape().clone();
            dims[0] *= world;
            NDArray leaf = x.getManager().create(all, new Shape(dims));
            if (x.getDataType() != DataType.FLOAT32) {
                leaf = leaf.toType(x.getDataType(), false);
            }
            leaf.setRequiresGradient(true);
            leaves.put(e.getKey(), leaf);
        }
        NDArray share = loss.shareOf(leaves, collective.rank(), world);
        float mine = share.toType(DataType.FLOAT32, false).getFloat();
        float total = collective.allReduceSum(new float[] {mine})[0];
        return new GatheredLoss(collective, localInputs, leaves, share, total, n);
    }

    /** This rank's share of the loss on the gathered leaves: back-propagate it first. */
    public NDArray objective() {
        return share;
    }

    /** The global loss, the same on every rank. */
    public float value() {
        return value;
    }

    /**
     * After {@link #objective()} has been back-propagated: all-reduces the gradients of the
     * gathered batch and returns a scalar whose gradient with respect to the local inputs is the
     * exact gradient of the global loss. Its value has no meaning. Collective call.
     */
    public NDArray surrogate() {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (NDArray leaf : leaves.values()) {
            float[] g = leaf.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
            parts.add(g);
            total += g.length;
        }
        float[] flat = new float[total];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, flat, off, p.length);
            off += p.length;
        }
        float[] summed = collective.allReduceSum(flat);
        NDArray result = null;
        off = 0;
        for (Map.Entry<String, NDArray> e : local.entrySet()) {
            NDArray x = e.getValue();
            int size = (int) leaves.get(e.getKey()).size();
            int per = (int) (size / collective.worldSize());
            float[] mine = new float[per];
            System.arraycopy(summed, off + collective.rank() * per, mine, 0, per);
            off += size;
            NDArray g = x.getManager().create(mine, x.getShape()).toType(x.getDataType(), false);
            NDArray term = x.mul(g.stopGradient()).sum();
            result = result == null ? term : result.add(term);
        }
        return result;
    }

    /** The number of rows each rank contributes. */
    public long rowsPerRank() {
        return rowsPerRank;
    }
}
