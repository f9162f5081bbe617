package io.github.selfsup4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.loss.contrastive.Implementation;
import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward + backward of NT-Xent, dense against tiled, at sizes where both fit. Run with {@code
 * java -cp "$(cat selfsup4j-bench/target/classpath.txt):selfsup4j-bench/target/classes"
 * org.openjdk.jmh.Main NtXent}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NtXentBenchmark {

    @Param({"256", "1024"})
    public int pairs;

    @Param({"128"})
    public int dim;

    @Param({"dense", "tiled"})
    public String impl;

    @Param({"512"})
    public int tile;

    private NDManager manager;
    private NDArray a;
    private NDArray b;
    private NtXentLoss loss;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(1);
        a = manager.randomNormal(new Shape(pairs, dim));
        b = manager.randomNormal(new Shape(pairs, dim));
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        loss = NtXentLoss.builder().optTemperature(0.1).optTileSize(tile)
                .optImplementation(Implementation.parse("bench", impl)).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    /** One forward and backward step; returns the loss so it is not optimised away. */
    @Benchmark
    public float step() {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray v = loss.apply(a, b);
            gc.backward(v);
            return v.getFloat() + a.getGradient().getFloat(0, 0);
        }
    }
}
