package io.github.selfsup4j.distributed;

/**
 * The communication that distributed losses and training need, among {@link #worldSize()}
 * processes: all-gather, all-reduce (sum), reduce-scatter (sum), broadcast and barrier, on
 * float32 and float64 arrays. Every rank must make the same calls, with arrays of the same
 * length, in the same order. A real multi-process backend (module {@code selfsup4j-gloo})
 * implements this interface; {@link LocalCollective} simulates several ranks in one process.
 *
 * <p>float64 arrays travel as float64: a loss computed in float64 across ranks keeps its
 * precision. A failed call (a peer gone, a timeout) throws {@link IllegalStateException}, or
 * {@link IllegalArgumentException} for arrays that cannot be combined.
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

    /** {@link #allGather(float[])} in float64. */
    double[] allGather(double[] local);

    /** The element-wise sum of every rank's array. */
    float[] allReduceSum(float[] values);

    /** {@link #allReduceSum(float[])} in float64. */
    double[] allReduceSum(double[] values);

    /**
     * The element-wise sum of every rank's array, of which this rank receives only block {@link
     * #rank()}: the array is split into {@link #worldSize()} equal blocks, and rank r gets the
     * sum of block r. It moves about half the data of an all-reduce.
     *
     * @param values this rank's array; its length must be a multiple of the world size
     * @return block {@code rank()} of the sum, of length {@code values.length / worldSize()}
     */
    float[] reduceScatterSum(float[] values);

    /** {@link #reduceScatterSum(float[])} in float64. */
    double[] reduceScatterSum(double[] values);

    /**
     * Rank {@code root}'s array, on every rank. All ranks pass arrays of the same length (their
     * contents are ignored except on the root).
     */
    float[] broadcast(float[] values, int root);

    /** {@link #broadcast(float[], int)} in float64. */
    double[] broadcast(double[] values, int root);

    /** Returns once every rank has called it. */
    void barrier();

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
            public double[] allGather(double[] local) {
                return local.clone();
            }

            @Override
            public float[] allReduceSum(float[] values) {
                return values.clone();
            }

            @Override
            public double[] allReduceSum(double[] values) {
                return values.clone();
            }

            @Override
            public float[] reduceScatterSum(float[] values) {
                return values.clone();
            }

            @Override
            public double[] reduceScatterSum(double[] values) {
                return values.clone();
            }

            @Override
            public float[] broadcast(float[] values, int root) {
                checkRoot(root, 1);
                return values.clone();
            }

            @Override
            public double[] broadcast(double[] values, int root) {
                checkRoot(root, 1);
                return values.clone();
            }

            @Override
            public void barrier() {}
        };
    }

    /**
     * Checks a broadcast root.
     *
     * @throws IllegalArgumentException naming the root when it is not a rank
     */
    static void checkRoot(int root, int worldSize) {
        if (root < 0 || root >= worldSize) {
            throw new IllegalArgumentException(
                    "broadcast: root must be in [0, " + worldSize + "), got " + root);
        }
    }

    /**
     * Checks that an array splits into one equal block per rank.
     *
     * @throws IllegalArgumentException naming the length when it does not
     */
    static void checkScatterLength(int length, int worldSize) {
        if (length % worldSize != 0) {
            throw new IllegalArgumentException(
                    "reduceScatterSum: length " + length + " is not a multiple of the world size "
                            + worldSize);
        }
    }
}
