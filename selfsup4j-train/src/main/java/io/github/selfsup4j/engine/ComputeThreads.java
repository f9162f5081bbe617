package io.github.selfsup4j.engine;

import ai.djl.engine.Engine;

/** The compute engine's intra-op threads. */
public final class ComputeThreads {

    private ComputeThreads() {}

    /**
     * Sets the engine's intra-op threads. With more than one, PyTorch's CPU reductions may sum in
     * a different order from run to run, so runs agree only to float rounding; with one they
     * repeat bit for bit (a resumed run then ends with exactly the parameters of an
     * uninterrupted one).
     */
    public static void set(int threads) {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }
}
