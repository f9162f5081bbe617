package io.github.selfsup4j.distributed;

/**
 * The communication that distributed losses need: all-gather and all-reduce of float arrays
 * among {@link #worldSize()} processes. Every rank must make the same calls in the same order.
 * A real multi-process backend implements this interface; {@link LocalCollective} simulates
 * several ranks in one process.
 */
public interface Collective {

    /** This process's rank, in {@code [0, worldSize())}. */
    int rank();

    /** The number of processes. */
    int worldSize();

    /**
     * Concatenates every rank's array in rank order. All ranks contribute arrays of the same
     * length.
     */
    float[] allGather(float[] local);

    /** The element-wise sum of every rank's array. */
    float[] allReduceSum(float[] values);

    /** The trivial collective of a single process. */
    static Collective single() {
        return new Collective() {
            @Override
            public int rank() {
                return 0;
            }

            @Override
            public int worldSize() {
                return 1;
            }

            @Override
            public float[] allGather(float[] local) {
                return local.clone();
            }

            @Override
            public float[] allReduceSum(float[] values) {
                return values.clone();
            }
        };
    }
}
