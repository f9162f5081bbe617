package io.github.selfsup4j.cli;

import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.Normalization;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingState;
import io.github.selfsup4j.engine.listener.MemoryListener;
import io.github.selfsup4j.engine.listener.MetricsHistory;
import io.github.selfsup4j.eval.Evaluation;
import io.github.selfsup4j.method.MethodSpec;
import io.github.selfsup4j.method.SslMethod;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.method.SslSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code selfsup4j eval RUN_DIR}: re-evaluates the encoder saved in a run's checkpoint. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Re-evaluate the encoder of a run directory (kNN k=20/200, linear probe,"
                + " baselines) on the split the run was scored on, and write RUN_DIR/eval.json.")
public final class EvalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by train.")
    Path dir;

    @Mixin
    BaselinesOption baselines = new BaselinesOption();

    @Option(names = "--probe-epochs", description = "Linear-probe epochs (default: the run's).")
    Integer probeEpochs;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        RunConfig config;
        IdxDataset.Splits splits;
        MethodSpec<?> spec;
        try {
            config = RunConfig.fromJson(Checkpoint.config(dir));
            if (MetricMethods.find(config.method) != null) {
                String json = RunConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                        EmbedCommand.reevaluate(dir, config, baselines.wanted(), System.out));
                Files.writeString(dir.resolve("eval.json"), json);
                System.out.println(json);
                return 0;
            }
            spec = Methods.get(config.method);
            if (probeEpochs != null) {
                io.github.selfsup4j.method.Check.atLeast("--probe-epochs", probeEpochs, 1);
                config.options.probeEpochs = probeEpochs;
            }
            splits = Datasets.load(config.options.data, config.options.limit);
        } catch (IOException | DataFormatError | IllegalArgumentException e) {
            System.err.println("selfsup4j eval: " + e.getMessage());
            return 2;
        }
        SslOptions o = config.options;
        ImageDataset train = splits.train();
        ImageDataset queries = splits.test();
        if (o.validation > 0) {
            ImageDataset[] parts = train.holdOut(o.validation, o.seed);
            train = parts[0];
            queries = parts[1];
        }
        SslSetup setup = new SslSetup(o, train.images(), Normalization.of(train.images()), 0, 1);
        try (SslMethod job = spec.create(setup, config.methodOptions(spec))) {
            TrainingState state = new TrainingState(o.epochs, job.batchesPerEpoch());
            Checkpoint.read(dir, List.of(state, new MetricsHistory(), new MemoryListener(),
                    Stateful.of(job)));
            System.out.printf("evaluating %s (%s, %d of %d epochs trained)%n", dir,
                    config.method, state.epoch(), o.epochs);
            Evaluation.Report r = job.evaluate(train, queries, baselines.wanted(), System.out);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", config.method);
            m.put("epochs_completed", state.epoch());
            m.put("scored_on", o.validation > 0 ? "validation" : "test");
            m.putAll(r.toMap());
            m.put("eval_seconds", r.seconds());
            m.put("wall_seconds", (System.nanoTime() - start) / 1e9);
            String json = RunConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
            Files.writeString(dir.resolve("eval.json"), json);
            System.out.println(json);
            return 0;
        }
    }
}
