package io.github.selfsup4j.method;

import ai.djl.nn.Parameter;
import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.Images;
import io.github.selfsup4j.data.Normalization;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingEngine;
import io.github.selfsup4j.engine.listener.CheckpointListener;
import io.github.selfsup4j.engine.listener.MetricsHistory;
import io.github.selfsup4j.engine.listener.NonFiniteListener;
import io.github.selfsup4j.distributed.Collective;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small methods, engines and data for the tests of the training side. */
public final class Fixtures {

    private Fixtures() {}

    /** 256 training and 256 test images of the embedded Fashion-MNIST. */
    public static final IdxDataset.Splits DATA = Datasets.load("../data/fashion-mnist", 256);

    /** Every registered method's spec. */
    public static final List<MethodSpec<?>> SPECS = List.of(SimClr.SPEC, Moco.SPEC, Hcl.SPEC,
            BarlowTwins.SPEC, VicReg.SPEC, Byol.SPEC);

    /** The spec of a method. */
    public static MethodSpec<?> spec(String name) {
        return SPECS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Small, fast options of a method. */
    public static SslOptions small(MethodSpec<?> spec, int epochs) {
        SslOptions o = spec.defaults();
        o.epochs = epochs;
        o.batchSize = 64;
        o.width = 16; // not 8: PyTorch's CPU conv backward with 8 channels reads garbage
        o.projectionHidden = 64;
        o.projectionDim = 32;
        o.warmupEpochs = 0.25;
        o.probeEpochs = 2;
        o.evalBatch = 128;
        return o;
    }

    /** The method's options for tests (MoCo with a small queue). */
    public static MethodOptions methodOptions(MethodSpec<?> spec) {
        MethodOptions m = spec.options().get();
        if (m instanceof Moco.Options) {
            ((Moco.Options) m).queueSize = 128;
        }
        if (m instanceof Byol.Options) {
            ((Byol.Options) m).predictorHidden = 64;
        }
        return m;
    }

    /** Builds a method on images. */
    public static SslMethod build(MethodSpec<?> spec, SslOptions o, Images train) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) o.seed);
        SslMethod m = spec.create(new SslSetup(o, train, Normalization.of(train), 0, 1),
                methodOptions(spec));
        return m;
    }

    /** A job with an engine, its history and checkpoints in {@code dir}. */
    public record Trained(SslMethod job, TrainingEngine<ViewBatch> engine, MetricsHistory history,
            CheckpointListener checkpoints) implements AutoCloseable {
        @Override
        public void close() {
            job.close();
        }
    }

    /** The method with an engine over {@code epochs}, checkpointing into {@code dir}. */
    public static Trained engine(SslMethod job, int epochs, Path dir) {
        MetricsHistory history = new MetricsHistory();
        Object[] holder = new Object[1];
        Stateful progress = Stateful.deferred(
                () -> ((TrainingEngine<?>) holder[0]).state());
        CheckpointListener cp = new CheckpointListener(dir, () -> "{}",
                List.of(progress, history, Stateful.of(job)), Collective.single());
        TrainingEngine<ViewBatch> e = TrainingEngine.builder(job).setEpochs(epochs)
                .optListeners(history, new NonFiniteListener(1), cp).build();
        holder[0] = e;
        return new Trained(job, e, history, cp);
    }

    /** A copy of every trainable parameter's values. */
    public static Map<String, float[]> parameters(SslMethod m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : m.trainableParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
