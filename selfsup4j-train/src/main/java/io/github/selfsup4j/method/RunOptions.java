package io.github.selfsup4j.method;

import picocli.CommandLine.Option;

/**
 * The options of a training run that every job shares (self-supervised and metric {@code
 * train}, {@code gan}), each declared once with its description and check: the seed, the data,
 * the image limit and the compute threads. The base class of each job's options ({@link
 * SslOptions}, {@code gan.GanOptions}): picocli reads these inherited fields as options of the
 * job's mixin, and the run's JSON configuration keeps them as top-level fields. A job changes a
 * default in its subclass, never by a second declaration.
 */
public abstract class RunOptions {

    @Option(names = "--seed", description = "Seed of every random choice (default"
            + " ${DEFAULT-VALUE}).")
    public long seed = 42;

    @Option(names = "--data", description = "A directory with the four IDX files (MNIST format),"
            + " or an image folder (DIR/train/<class>/*.png|jpg, DIR/test/<class>/...;"
            + " greyscale, resized to 28×28), instead of the embedded Fashion-MNIST.")
    public String data;

    @Option(names = "--limit", description = "Use only the first N images of each split"
            + " (0 = all; for quick tries).")
    public int limit;

    @Option(names = "--threads", description = "PyTorch compute threads (default"
            + " ${DEFAULT-VALUE}; 0 = the engine's default; 1 makes a run, and its resumption,"
            + " repeat bit for bit).")
    public int threads;

    /** Makes --data absolute, so that the run's checkpoint names it from any directory. */
    public void makeDataAbsolute() {
        if (data != null) {
            data = java.nio.file.Path.of(data).toAbsolutePath().toString();
        }
    }

    /** Sets the compute threads (unless 0) and DJL's random seed: before the job is built. */
    public void applyToEngine() {
        if (threads > 0) {
            io.github.selfsup4j.engine.ComputeThreads.set(threads);
        }
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
    }

    /** Checks these options; the message names the option and its value. */
    public void validate() {
        Check.atLeast("--limit", limit, 0);
        Check.atLeast("--threads", threads, 0);
        if (data != null) {
            Check.require(!data.isEmpty(), "--data", "''", "must name a directory");
            Check.require(java.nio.file.Files.isDirectory(java.nio.file.Path.of(data)), "--data",
                    data, "is not a directory");
        }
    }
}
