package io.github.selfsup4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a loss: the scalar value to minimise and, for losses built from several terms,
 * the unweighted terms themselves (VICReg's invariance, variance and covariance, Barlow Twins'
 * on- and off-diagonal sums, the two halves of a discriminator loss).
 *
 * @param value the scalar loss, with its autograd graph
 * @param components named scalar terms, in a stable order; empty for single-term losses
 */
public record LossOutput(NDArray value, Map<String, NDArray> components) {

    /** A single-term loss. */
    public static LossOutput of(NDArray value) {
        return new LossOutput(value, Collections.emptyMap());
    }

    /** A loss with named terms given as name, array, name, array... */
    public static LossOutput of(NDArray value, Object... namesAndTerms) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTerms.length; i += 2) {
            m.put((String) namesAndTerms[i], (NDArray) namesAndTerms[i + 1]);
        }
        return new LossOutput(value, Collections.unmodifiableMap(m));
    }
}
