package io.github.selfsup4j.loss.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.metric.Distance;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.numerics.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The (embeddings, labels) form shared by the pair and triplet losses: which form a request uses,
 * the mined tuples on the loss's own distance matrix, and entries gathered from that matrix.
 */
final class LabeledForm {

    static final String EMBEDDINGS = "embeddings";
    static final String LABELS = "labels";

    private LabeledForm() {}

    /** The tuple-form inputs, all optional, followed by {@code embeddings} and {@code labels}. */
    static List<InputSpec> inputs(InputSpec... tupleForm) {
        List<InputSpec> all = new ArrayList<>();
        for (InputSpec s : tupleForm) {
            all.add(new InputSpec(s.name(), s.integer(), s.label(), true));
        }
        all.add(new InputSpec(EMBEDDINGS, false, false, true));
        all.add(new InputSpec(LABELS, true, true, true));
        return List.copyOf(all);
    }

    /** "[a, b, c] or [embeddings, labels]", for {@code --list} and messages. */
    static String signature(String... tupleNames) {
        return List.of(tupleNames) + " or [" + EMBEDDINGS + ", " + LABELS + "]";
    }

    /**
     * DJL's {@code evaluate(labels, predictions)} with one prediction and one label: the labelled
     * form's inputs; null for any other count (the tuple form).
     */
    static Map<String, NDArray> fromDjl(NDList labels, NDList predictions) {
        if (predictions != null && predictions.size() == 1 && labels != null
                && labels.size() == 1) {
            return Map.of(EMBEDDINGS, predictions.get(0), LABELS, labels.get(0));
        }
        return null;
    }

    /**
     * Which form the inputs use.
     *
     * @return true for (embeddings, labels), false for the tuple form
     * @throws IllegalArgumentException when the forms are mixed or an input is missing
     */
    static boolean labeled(String owner, Map<String, NDArray> in, String... tupleNames) {
        boolean tuple = false;
        for (String t : tupleNames) {
            tuple |= in.get(t) != null;
        }
        boolean labeled = in.get(EMBEDDINGS) != null || in.get(LABELS) != null;
        String forms = signature(tupleNames);
        if (tuple && labeled) {
            throw new IllegalArgumentException(owner + ": give either " + forms
                    + ", got inputs " + in.keySet());
        }
        for (String name : labeled ? new String[] {EMBEDDINGS, LABELS} : tupleNames) {
            if (in.get(name) == null) {
                throw new IllegalArgumentException(owner + ": input " + name
                        + " is missing (inputs: " + forms + ")");
            }
        }
        return labeled;
    }

    /**
     * The detached, oriented matrix the miner compares: the loss's own matrix when the miner uses
     * the same distance (one computation), otherwise the miner's.
     */
    static double[] minerMatrix(Miner miner, Distance distance, NDArray matrix, NDArray e) {
        return miner.distance().equals(distance) ? distance.orient(matrix)
                : miner.distance().orientedMatrix(e);
    }

    /** Entries (rows[t], cols[t]) of an N×N matrix, differentiable. */
    static NDArray entries(NDArray matrix, int[] rows, int[] cols) {
        long n = matrix.getShape().get(0);
        long[] flat = new long[rows.length];
        for (int t = 0; t < flat.length; t++) {
            flat[t] = rows[t] * n + cols[t];
        }
        return matrix.reshape(-1).take(matrix.getManager().create(flat, new Shape(flat.length)));
    }

    /** PML's {@code zero_loss}: 0, on the graph of the embeddings (zero gradient, not none). */
    static NDArray zero(NDArray e) {
        return Ops.scale(e.sum(), 0.0);
    }
}
