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
import io.github.selfsup4j.eval.Features;
import io.github.selfsup4j.method.MethodSpec;
import io.github.selfsup4j.method.SslMethod;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.method.SslSetup;
import io.github.selfsup4j.report.Npy;
import io.github.selfsup4j.supervised.MetricMethod;
import io.github.selfsup4j.supervised.MetricSetup;
import io.github.selfsup4j.supervised.MetricSpec;
import io.github.selfsup4j.supervised.Protocol;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code selfsup4j embed RUN_DIR --out FILE}: the frozen network of a run applied to every image
 * of a split. Self-supervised runs give the encoder's features (what kNN and the probe score),
 * metric-learning runs the L2-normalised embeddings (what retrieval scores). Written as NumPy
 * {@code .npy} (float32 N×D) with the labels in {@code STEM.labels.npy} (int64), or as {@code
 * .csv} with the label in the last column. Pixels are normalised with the run's training
 * statistics, whatever data is embedded.
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = "Write the embeddings of a run's frozen network for every image of a split"
                + " (.npy float32 N×D plus STEM.labels.npy, or .csv with a label column).")
public final class EmbedCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by train.")
    Path dir;

    @Option(names = "--data", description = "Images to embed (IDX files or an image folder;"
            + " default: the run's data).")
    Path data;

    @Option(names = "--split", description = "train or test (default ${DEFAULT-VALUE}).")
    String split = "test";

    @Option(names = "--out", required = true, description = "The output: FILE.npy or FILE.csv.")
    Path out;

    @Override
    public Integer call() throws Exception {
        RunConfig config;
        IdxDataset.Splits runData;
        ImageDataset images;
        try {
            io.github.selfsup4j.method.Check.require(split.equals("train")
                    || split.equals("test"), "--split", split, "must be train or test");
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            io.github.selfsup4j.method.Check.require(name.endsWith(".npy")
                    || name.endsWith(".csv"), "--out", out, "must end in .npy or .csv");
            config = RunConfig.fromJson(Checkpoint.config(dir));
            runData = Datasets.load(config.options.data, config.options.limit);
            IdxDataset.Splits target = data == null ? runData
                    : Datasets.load(data.toAbsolutePath().toString(), 0);
            images = split.equals("train") ? target.train() : target.test();
        } catch (IOException | DataFormatError | IllegalArgumentException e) {
            System.err.println("selfsup4j embed: " + e.getMessage());
            return 2;
        }
        float[][] rows = embed(dir, config, runData, images);
        write(out, rows, images.labels());
        System.out.printf("wrote %s: %d × %d float32 (%s, %s split)%s%n", out, rows.length,
                rows.length == 0 ? 0 : rows[0].length, config.method, split,
                out.toString().endsWith(".npy") ? " and " + labelsFile(out) : "");
        return 0;
    }

    /** The run's frozen network applied to {@code images}. */
    static float[][] embed(Path dir, RunConfig config, IdxDataset.Splits runData,
            ImageDataset images)
            throws IOException {
        SslOptions o = config.options;
        MetricSpec<?> metric = MetricMethods.find(config.method);
        if (metric != null) {
            Protocol.Split s = config.metric.protocol.split(runData, o.validation, o.seed);
            try (MetricMethod job = metric.create(MetricSetup.of(o, config.metric, s.train()),
                    RunConfig.JSON.treeToValue(config.methodOptions, metric.optionsClass()))) {
                restore(dir, config, job.batchesPerEpoch(), job);
                return job.embed(images);
            }
        }
        MethodSpec<?> spec = Methods.get(config.method);
        ImageDataset train = runData.train();
        if (o.validation > 0) {
            train = train.holdOut(o.validation, o.seed)[0];
        }
        Normalization n = Normalization.of(train.images());
        try (SslMethod job = spec.create(new SslSetup(o, train.images(), n, 0, 1),
                config.methodOptions(spec))) {
            restore(dir, config, job.batchesPerEpoch(), job);
            return Features.extract(job.encoder(), images, n.mean(), n.std(), o.evalBatch,
                    job.manager());
        }
    }

    /**
     * Re-evaluates a metric-learning run's saved network under its protocol (what {@code eval
     * RUN_DIR} does for these runs).
     */
    static java.util.Map<String, Object> reevaluate(Path dir, RunConfig config,
            boolean baselines, java.io.PrintStream log) throws IOException {
        SslOptions o = config.options;
        MetricSpec<?> metric = MetricMethods.find(config.method);
        Protocol.Split s = config.metric.protocol.split(Datasets.load(o.data, o.limit),
                o.validation, o.seed);
        try (MetricMethod job = metric.create(MetricSetup.of(o, config.metric, s.train()),
                RunConfig.JSON.treeToValue(config.methodOptions, metric.optionsClass()))) {
            restore(dir, config, job.batchesPerEpoch(), job);
            io.github.selfsup4j.supervised.RetrievalEvaluation.Report r =
                    io.github.selfsup4j.supervised.RetrievalEvaluation.run(job, s, baselines,
                            log);
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("method", config.method);
            m.put("protocol", config.metric.protocol.cliName());
            m.put("scored_on", s.scoredOn());
            m.putAll(r.toMap());
            m.put("eval_seconds", r.seconds());
            return m;
        }
    }

    private static void restore(Path dir, RunConfig config, int batchesPerEpoch,
            io.github.selfsup4j.engine.Job<?> job) throws IOException {
        Checkpoint.read(dir, List.of(new TrainingState(config.options.epochs, batchesPerEpoch),
                new MetricsHistory(), new MemoryListener(), Stateful.of(job)));
    }

    /** {@code STEM.labels.npy} beside {@code STEM.npy}. */
    static Path labelsFile(Path npy) {
        String f = npy.getFileName().toString();
        return npy.resolveSibling(f.substring(0, f.length() - ".npy".length()) + ".labels.npy");
    }

    /** Writes the rows as .npy (labels beside) or .csv (label last). */
    static void write(Path file, float[][] rows, int[] labels) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            Npy.writeFloat32(file, rows);
            long[] y = new long[labels.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = labels[i];
            }
            Npy.writeInt64(labelsFile(file), y);
            return;
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            int d = rows.length == 0 ? 0 : rows[0].length;
            for (int j = 0; j < d; j++) {
                w.write("f" + j + ",");
            }
            w.write("label\n");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < rows.length; i++) {
                sb.setLength(0);
                for (float v : rows[i]) {
                    sb.append(v).append(',');
                }
                sb.append(labels[i]).append('\n');
                w.write(sb.toString());
            }
        }
    }
}
