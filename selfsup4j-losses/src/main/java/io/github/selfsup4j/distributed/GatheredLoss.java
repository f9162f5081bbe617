package io.github.selfsup4j.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.loss.InputSpec;
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
 * that simulates 2 and 4 ranks with {@link LocalCollective}, and with real processes in module
 * {@code selfsup4j-gloo}). Every rank's local batch must have the same number of rows. Collective
 * calls follow the loss's declared {@link Gatherable#inputs() input order}, whatever the map's
 * iteration order. float64 inputs travel as float64 (values and gradients exact to rounding),
 * other dtypes as float32. The gradients come back by a reduce-scatter: each rank receives only
 * its own rows of the summed gradient.
 */
public final class GatheredLoss {

    private final Collective collective;
    /** The local inputs in the declared order. */
    private final Map<String, NDArray> local;
    private final Map<String, NDArray> leaves;
    private final NDArray share;
    private final double value;
    private final long rowsPerRank;

    private GatheredLoss(
            Collective collective,
            Map<String, NDArray> local,
            Map<String, NDArray> leaves,
            NDArray share,
            double value,
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
     * rank must call it with the same input names and dtypes (checked).
     *
     * @param loss the loss
     * @param collective this rank's collective
     * @param localInputs this rank's inputs by name, all with the same number of rows; any map
     *     (the collective calls follow the loss's declared input order)
     * @return the gathered loss
     */
    public static GatheredLoss forward(
            Gatherable loss, Collective collective, Map<String, NDArray> localInputs) {
        List<InputSpec> specs = loss.inputs();
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        long present = 0;
        long wide = 0;
        for (int i = 0; i < specs.size(); i++) {
            NDArray x = localInputs.get(specs.get(i).name());
            if (x != null) {
                ordered.put(specs.get(i).name(), x);
                present |= 1L << i;
                wide |= x.getDataType() == DataType.FLOAT64 ? 1L << i : 0;
            }
        }
        for (String k : localInputs.keySet()) {
            if (!ordered.containsKey(k)) {
                throw new IllegalArgumentException("gathered loss: unknown input " + k
                        + " (inputs: " + specs.stream().map(InputSpec::name).toList() + ")");
            }
        }
        long n = -1;
        for (Map.Entry<String, NDArray> e : ordered.entrySet()) {
            long rows = e.getValue().getShape().get(0);
            if (n >= 0 && rows != n) {
                throw new IllegalArgumentException(
                        "gathered loss: input " + e.getKey() + " has " + rows
                                + " rows, the others " + n + "; all inputs need the same rows");
            }
            n = rows;
        }
        int world = collective.worldSize();
        // One small gather checks that every rank agrees on the batch size, the inputs given
        // and their dtypes before any data moves (doubles hold these integers exactly).
        double[] header = collective.allGather(new double[] {n, present, wide});
        for (int r = 0; r < world; r++) {
            if (header[3 * r] != n) {
                throw new IllegalArgumentException(
                        "gathered loss: rank " + r + " has " + (long) header[3 * r]
                                + " rows, rank " + collective.rank() + " has " + n
                                + "; every rank needs the same local batch size");
            }
            if (header[3 * r + 1] != present || header[3 * r + 2] != wide) {
                throw new IllegalArgumentException(
                        "gathered loss: rank " + r + " gave other inputs or dtypes than rank "
                                + collective.rank() + " (inputs " + ordered.keySet()
                                + "); every rank must give the same inputs with the same dtypes");
            }
        }
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : ordered.entrySet()) {
            NDArray x = e.getValue();
            long[] dims = x.getShape().getShape().clone();
            dims[0] *= world;
            NDArray leaf;
            if (x.getDataType() == DataType.FLOAT64) {
                leaf = x.getManager().create(
                        collective.allGather(x.toDoubleArray()), new Shape(dims));
            } else {
                float[] all = collective.allGather(x.toType(DataType.FLOAT32, false).toFloatArray());
                leaf = x.getManager().create(all, new Shape(dims));
                if (x.getDataType() != DataType.FLOAT32) {
                    leaf = leaf.toType(x.getDataType(), false);
                }
            }
            leaf.setRequiresGradient(true);
            leaves.put(e.getKey(), leaf);
        }
        NDArray share = loss.shareOf(leaves, collective.rank(), world);
        double mine = share.toType(DataType.FLOAT64, false).getDouble();
        double total = collective.allReduceSum(new double[] {mine})[0];
        return new GatheredLoss(collective, ordered, leaves, share, total, n);
    }

    /** This rank's share of the loss on the gathered leaves: back-propagate it first. */
    public NDArray objective() {
        return share;
    }

    /** The global loss, the same on every rank, rounded to float32. */
    public float value() {
        return (float) value;
    }

    /**
     * The global loss, the same on every rank: the shares summed in float64 (exact to rounding
     * for float64 inputs).
     */
    public double doubleValue() {
        return value;
    }

    /**
     * After {@link #objective()} has been back-propagated: sums the gradients of the gathered
     * batch over the ranks, of which this rank receives only its own rows (a reduce-scatter), and
     * returns a scalar whose gradient with respect to the local inputs is the exact gradient of
     * the global loss. Its value has no meaning. Collective call. The gradients travel as float64
     * when any input is float64.
     */
    public NDArray surrogate() {
        int world = collective.worldSize();
        boolean wide = false;
        List<NDArray> grads = new ArrayList<>();
        for (NDArray leaf : leaves.values()) {
            wide |= leaf.getDataType() == DataType.FLOAT64;
            grads.add(leaf.getGradient());
        }
        // Rank-major layout: block r holds rank r's rows of every input, in the declared order,
        // so that the reduce-scatter hands each rank exactly its rows.
        int total = 0;
        for (NDArray g : grads) {
            total += (int) g.size();
        }
        int block = total / world;
        double[] mineD = null;
        float[] mineF = null;
        if (wide) {
            double[] flat = new double[total];
            int pos = 0;
            for (NDArray g : grads) {
                double[] v = g.toType(DataType.FLOAT64, false).toDoubleArray();
                int per = v.length / world;
                for (int r = 0; r < world; r++) {
                    System.arraycopy(v, r * per, flat, r * block + pos, per);
                }
                pos += per;
            }
            mineD = collective.reduceScatterSum(flat);
        } else {
            float[] flat = new float[total];
            int pos = 0;
            for (NDArray g : grads) {
                float[] v = g.toType(DataType.FLOAT32, false).toFloatArray();
                int per = v.length / world;
                for (int r = 0; r < world; r++) {
                    System.arraycopy(v, r * per, flat, r * block + pos, per);
                }
                pos += per;
            }
            mineF = collective.reduceScatterSum(flat);
        }
        NDArray result = null;
        int pos = 0;
        for (NDArray x : local.values()) {
            int per = (int) x.size();
            NDArray g;
            if (wide) {
                double[] part = new double[per];
                System.arraycopy(mineD, pos, part, 0, per);
                g = x.getManager().create(part, x.getShape());
            } else {
                float[] part = new float[per];
                System.arraycopy(mineF, pos, part, 0, per);
                g = x.getManager().create(part, x.getShape());
            }
            pos += per;
            g = g.toType(x.getDataType(), false);
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
