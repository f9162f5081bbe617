package io.github.selfsup4j.loss;

/**
 * One named input of a loss, as it appears in the JSON interface and in DJL's
 * {@code evaluate(labels, predictions)} convention.
 *
 * @param name the input's name (snake_case, as in the JSON interface)
 * @param integer whether the input holds integers (class indices, binary or ±1 labels)
 * @param label whether DJL passes it in {@code labels} rather than {@code predictions}
 * @param optional whether it may be left out
 */
public record InputSpec(String name, boolean integer, boolean label, boolean optional) {

    /** A floating input that DJL passes as a prediction. */
    public static InputSpec prediction(String name) {
        return new InputSpec(name, false, false, false);
    }

    /** An optional floating input passed as the last prediction. */
    public static InputSpec optionalPrediction(String name) {
        return new InputSpec(name, false, false, true);
    }

    /** A floating target that DJL passes as a label. */
    public static InputSpec target(String name) {
        return new InputSpec(name, false, true, false);
    }

    /** An integer label that DJL passes as a label. */
    public static InputSpec integerLabel(String name) {
        return new InputSpec(name, true, true, false);
    }
}
