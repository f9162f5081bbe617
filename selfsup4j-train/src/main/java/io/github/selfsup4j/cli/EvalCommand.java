package io.github.selfsup4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.eval.Evaluation;
import io.github.selfsup4j.report.Checkpoint;
import io.github.selfsup4j.train.TrainConfig;
import io.github.selfsup4j.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code selfsup4j eval RUN_DIR}: re-evaluates the encoder saved in a run's checkpoint. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Re-evaluate the encoder of a run directory (kNN k=20/200, linear probe,"
                + " baselines) and write RUN_DIR/eval.json.")
public final class EvalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by train.")
    Path dir;

    @Option(names = "--no-baselines", description = "Skip the baselines.")
    boolean noBaselines;

    @Option(names = "--probe-epochs", description = "Linear-probe epochs (default: the run's).")
    Integer probeEpochs;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        TrainConfig config;
        IdxDataset.Splits splits;
        try {
            config = Checkpoint.config(dir);
            if (probeEpochs != null) {
                config.probeEpochs = probeEpochs;
            }
            splits = Datasets.load(config.data, config.limit);
        } catch (IOException | DataFormatError e) {
            System.err.println("selfsup4j eval: " + e.getMessage());
            return 2;
        }
        try (TrainingRun run = new TrainingRun(config, dir, splits.train())) {
            run.restore();
            System.out.printf("evaluating %s (%s, %d of %d epochs trained)%n", dir,
                    config.method, run.epoch(), config.epochs);
            Evaluation.Report r = Evaluation.run(run.method().encoder(), config, splits.train(),
                    splits.test(), !noBaselines, run.manager(), System.out);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", config.method);
            m.put("epochs_completed", run.epoch());
            m.putAll(r.toMap());
            m.put("eval_seconds", r.seconds());
            m.put("wall_seconds", (System.nanoTime() - start) / 1e9);
            String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(m);
            Files.writeString(dir.resolve("eval.json"), json);
            System.out.println(json);
            return 0;
        }
    }
}
