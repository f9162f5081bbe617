package io.github.selfsup4j.loss;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;

/**
 * Reads snake_case options (as they come from JSON) into a loss builder. Each option that is
 * present is passed to its setter, so defaults live in the builders only; an option of the wrong
 * type or one the loss does not know is rejected with a message that names it.
 */
public final class Options {

    private final String owner;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();

    /**
     * Wraps options.
     *
     * @param owner the loss name, for messages
     * @param values option name to value (Number, Boolean or String)
     */
    public Options(String owner, Map<String, Object> values) {
        this.owner = owner;
        this.values = values == null ? Collections.emptyMap() : values;
    }

    /** Passes a number option to {@code setter} if present. */
    public Options number(String key, DoubleConsumer setter) {
        Object v = take(key);
        if (v != null) {
            if (!(v instanceof Number)) {
                throw wrongType(key, "a number", v);
            }
            setter.accept(((Number) v).doubleValue());
        }
        return this;
    }

    /** Passes an integer option to {@code setter} if present. */
    public Options integer(String key, IntConsumer setter) {
        Object v = take(key);
        if (v != null) {
            if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v)
                    .doubleValue()) || Math.abs(((Number) v).doubleValue()) > Integer.MAX_VALUE) {
                throw wrongType(key, "an integer", v);
            }
            setter.accept(((Number) v).intValue());
        }
        return this;
    }

    /** Passes a boolean option to {@code setter} if present. */
    public Options bool(String key, Consumer<Boolean> setter) {
        Object v = take(key);
        if (v != null) {
            if (!(v instanceof Boolean)) {
                throw wrongType(key, "true or false", v);
            }
            setter.accept((Boolean) v);
        }
        return this;
    }

    /** Passes a string option to {@code setter} if present. */
    public Options string(String key, Consumer<String> setter) {
        Object v = take(key);
        if (v != null) {
            if (!(v instanceof String)) {
                throw wrongType(key, "a string", v);
            }
            setter.accept((String) v);
        }
        return this;
    }

    /** Rejects options that no setter asked for. */
    public void finish() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    owner + ": unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown
                            + " (options: " + (known.isEmpty() ? "none" : known) + ")");
        }
    }

    private Object take(String key) {
        known.add(key);
        return values.get(key);
    }

    private IllegalArgumentException wrongType(String key, String expected, Object got) {
        return new IllegalArgumentException(
                owner + ": option " + key + " must be " + expected + ", got " + got);
    }
}
