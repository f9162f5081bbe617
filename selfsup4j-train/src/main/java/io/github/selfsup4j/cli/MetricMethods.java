package io.github.selfsup4j.cli;

import io.github.selfsup4j.supervised.Contrastive;
import io.github.selfsup4j.supervised.MetricSpec;
import io.github.selfsup4j.supervised.MultiSimilarity;
import io.github.selfsup4j.supervised.SupCon;
import io.github.selfsup4j.supervised.Triplet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The supervised metric-learning methods of {@code train --method} (beside the self-supervised
 * ones of {@link Methods}): one registration line each.
 */
public final class MetricMethods {

    private static final Map<String, MetricSpec<?>> REGISTRY = new LinkedHashMap<>();

    static {
        register(Triplet.SPEC);
        register(Contrastive.SPEC);
        register(SupCon.SPEC);
        register(MultiSimilarity.SPEC);
    }

    private MetricMethods() {}

    private static void register(MetricSpec<?> spec) {
        if (REGISTRY.putIfAbsent(spec.name(), spec) != null || Methods.find(spec.name()) != null) {
            throw new IllegalStateException("method " + spec.name() + " registered twice");
        }
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The spec of a method, or null. */
    public static MetricSpec<?> find(String name) {
        return name == null ? null : REGISTRY.get(name);
    }

    /** Every {@code --method} name: the self-supervised ones, then these. */
    public static List<String> allNames() {
        List<String> all = new java.util.ArrayList<>(Methods.names());
        all.addAll(names());
        return all;
    }
}
