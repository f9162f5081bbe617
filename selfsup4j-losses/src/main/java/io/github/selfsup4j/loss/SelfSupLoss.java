package io.github.selfsup4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Base of every SelfSup4J loss: a DJL {@link Loss}, usable in {@code DefaultTrainingConfig}, that
 * is also a plain function on named {@link NDArray}s.
 *
 * <p>Inputs are named (see {@link #inputs()}). In DJL's {@code evaluate(labels, predictions)}
 * the floating inputs that a model produces come in {@code predictions}, in the order of {@link
 * #inputs()} (for a two-view loss: {@code [zA, zB]}), and targets or labels come in {@code
 * labels}. Computation happens in float32 for float16/bfloat16/float32 inputs and in float64 for
 * float64 inputs; the result keeps the autograd graph.
 */
public abstract class SelfSupLoss extends Loss {

    /**
     * Creates a loss.
     *
     * @param name the name DJL reports the loss under
     */
    protected SelfSupLoss(String name) {
        super(name);
    }

    /** The named inputs, in order. */
    public abstract List<InputSpec> inputs();

    /**
     * Computes the loss on validated, present inputs.
     *
     * @param in the inputs by name; optional inputs may be absent
     * @return the loss and its components
     */
    protected abstract LossOutput compute(Map<String, NDArray> in);

    /**
     * Computes the loss on named inputs after checking that every required input is present and
     * no unknown one is given.
     *
     * @param in the inputs by name
     * @return the loss and its components
     * @throws IllegalArgumentException on a missing, unknown or malformed input
     */
    public LossOutput forward(Map<String, NDArray> in) {
        Set<String> known = new HashSet<>();
        for (InputSpec s : inputs()) {
            known.add(s.name());
            if (!s.optional() && in.get(s.name()) == null) {
                throw new IllegalArgumentException(
                        getName() + ": input " + s.name() + " is missing (inputs: "
                                + inputNames() + ")");
            }
        }
        for (String k : in.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(
                        getName() + ": unknown input " + k + " (inputs: " + inputNames() + ")");
            }
        }
        return compute(in);
    }

    /**
     * Computes the loss on positional inputs in the order of {@link #inputs()}; trailing optional
     * inputs may be left out.
     */
    public LossOutput forward(NDArray... arrays) {
        List<InputSpec> specs = inputs();
        if (arrays.length > specs.size()) {
            throw new IllegalArgumentException(
                    getName() + ": expected at most " + specs.size() + " inputs " + inputNames()
                            + ", got " + arrays.length);
        }
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (int i = 0; i < arrays.length; i++) {
            in.put(specs.get(i).name(), arrays[i]);
        }
        return forward(in);
    }

    /** The scalar loss on positional inputs; see {@link #forward(NDArray...)}. */
    public NDArray apply(NDArray... arrays) {
        return forward(arrays).value();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        Iterator<NDArray> p = predictions == null ? List.<NDArray>of().iterator()
                : predictions.iterator();
        Iterator<NDArray> l = labels == null ? List.<NDArray>of().iterator() : labels.iterator();
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (InputSpec s : inputs()) {
            Iterator<NDArray> src = s.label() ? l : p;
            if (src.hasNext()) {
                in.put(s.name(), src.next());
            }
        }
        return forward(in).value();
    }

    /** The input names, for messages. */
    public List<String> inputNames() {
        return inputs().stream().map(InputSpec::name).toList();
    }

    /**
     * The inputs as {@code selfsup4j loss --list} shows them: the names, or the alternative
     * forms of a loss that has several.
     */
    public String signature() {
        return inputNames().toString();
    }
}
