package io.github.selfsup4j.cli;

import io.github.selfsup4j.method.BarlowTwins;
import io.github.selfsup4j.method.Byol;
import io.github.selfsup4j.method.Hcl;
import io.github.selfsup4j.method.MethodSpec;
import io.github.selfsup4j.method.Moco;
import io.github.selfsup4j.method.SimClr;
import io.github.selfsup4j.method.VicReg;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The methods of {@code train --method}: one registration line each. */
public final class Methods {

    private static final Map<String, MethodSpec<?>> REGISTRY = new LinkedHashMap<>();

    static {
        register(SimClr.SPEC);
        register(Moco.SPEC);
        register(Hcl.SPEC);
        register(BarlowTwins.SPEC);
        register(VicReg.SPEC);
        register(Byol.SPEC);
    }

    private Methods() {}

    private static void register(MethodSpec<?> spec) {
        if (REGISTRY.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("method " + spec.name() + " registered twice");
        }
    }

    /** The registered names, in registration order (the first is the default). */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The spec of a method, or null. */
    public static MethodSpec<?> find(String name) {
        return name == null ? null : REGISTRY.get(name);
    }

    /** The spec of a method; the message names the value and the choices. */
    public static MethodSpec<?> get(String name) {
        MethodSpec<?> s = find(name);
        if (s == null) {
            throw new IllegalArgumentException("--method " + name + ": must be one of "
                    + String.join(", ", names()));
        }
        return s;
    }
}
