package io.github.selfsup4j.method;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every method does with its networks: list trainable parameters, restore them. */
final class Networks {

    private Networks() {}

    /** The parameters of {@code block} that take gradients, by their stable names. */
    static Map<String, Parameter> trainable(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.put(p.getKey(), p.getValue());
            }
        }
        return out;
    }

    /**
     * Loads parameters saved by {@code Block.saveParameters} and attaches gradients to the
     * trainable ones again (loaded arrays are fresh leaves).
     */
    static void load(Block block, NDManager manager, DataInputStream in) throws IOException {
        try {
            block.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint does not match the network: " + e.getMessage(), e);
        }
        trainable(block).values().forEach(p -> p.getArray().setRequiresGradient(true));
    }
}
