package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.Map;

/** What every job does with the gradients of its parameters between backward and update. */
public final class Gradients {

    private Gradients() {}

    /** The sum of every gradient element: NaN or infinite when any element is. */
    public static double sum(Map<String, Parameter> params) {
        double total = 0;
        for (Parameter p : params.values()) {
            try (NDArray g = p.getArray().getGradient(); NDArray s = g.sum()) {
                total += s.getFloat();
            }
        }
        return total;
    }

    /** Sets every gradient to 0 (NaN-safe, unlike {@code g - g}). */
    public static void zero(Map<String, Parameter> params) {
        for (Parameter p : params.values()) {
            try (NDArray g = p.getArray().getGradient()) {
                g.set(new NDIndex(":"), 0);
            }
        }
    }

    /**
     * Updates every parameter with its gradient, zeroes the gradients and ends the optimiser's
     * step.
     */
    public static void apply(StatefulOptimizer optimizer, Map<String, Parameter> params) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray w = e.getValue().getArray();
            NDArray g = w.getGradient();
            optimizer.update(e.getKey(), w, g);
            g.subi(g);
            g.close();
        }
        optimizer.endStep();
    }
}
