package io.github.selfsup4j.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.HashMap;
import java.util.Map;

/**
 * The checks every metric loss and miner makes on its {@code embeddings} (N×D, floating, finite)
 * and {@code labels} (N integers), and the labels read into Java.
 */
public final class LabeledBatch {

    private LabeledBatch() {}

    /**
     * Checked {@code embeddings} (floating, N×D) in the dtype the losses compute in: float32 for
     * half precision and float32, float64 for float64, with the graph kept.
     */
    public static NDArray embeddings(String owner, NDArray embeddings) {
        NDArray e = Checks.floating(owner, "embeddings", embeddings, 2);
        return Ops.promote(e, Ops.computeType(e));
    }

    /**
     * Checks a labelled batch and returns its labels.
     *
     * @param owner the loss or miner, for messages
     * @param embeddings N×D floating embeddings
     * @param labels N integer labels
     * @param needsNegatives whether the batch must hold two classes (a negative for an anchor)
     * @return the labels
     * @throws IllegalArgumentException naming the argument and value: wrong rank or dtype, labels
     *     of another length, a NaN or infinite embedding, no two samples sharing a label, or
     *     (with {@code needsNegatives}) a single class
     */
    public static long[] check(String owner, NDArray embeddings, NDArray labels,
            boolean needsNegatives) {
        Checks.floating(owner, "embeddings", embeddings, 2);
        Checks.integer(owner, "labels", labels, 1);
        long n = embeddings.getShape().get(0);
        if (labels.getShape().get(0) != n) {
            throw new IllegalArgumentException(owner + ": labels must have " + n
                    + " entries like the rows of embeddings " + embeddings.getShape()
                    + ", got shape " + labels.getShape());
        }
        if (embeddings.isNaN().logicalOr(embeddings.isInfinite()).any().getBoolean()) {
            double[] v = embeddings.toType(DataType.FLOAT64, false).toDoubleArray();
            int d = (int) embeddings.getShape().get(1);
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new IllegalArgumentException(owner + ": embeddings must be finite, got "
                            + v[i] + " at row " + i / d + ", column " + i % d);
                }
            }
        }
        long[] y = labels.toType(DataType.INT64, false).toLongArray();
        Map<Long, Integer> counts = new HashMap<>();
        boolean positive = false;
        for (long v : y) {
            positive |= counts.merge(v, 1, Integer::sum) > 1;
        }
        if (!positive) {
            throw new IllegalArgumentException(owner + ": labels must give some sample a positive"
                    + " (two samples sharing a label), got " + y.length + " distinct labels");
        }
        if (needsNegatives && counts.size() < 2) {
            throw new IllegalArgumentException(owner + ": labels must hold at least two classes"
                    + " (negatives), got only label " + y[0] + " for all " + y.length
                    + " samples");
        }
        return y;
    }
}
