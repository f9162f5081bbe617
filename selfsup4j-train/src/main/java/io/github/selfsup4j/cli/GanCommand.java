package io.github.selfsup4j.cli;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.IdxWriter;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.ComputeThreads;
import io.github.selfsup4j.engine.Stateful;
import io.github.selfsup4j.engine.TrainingEngine;
import io.github.selfsup4j.engine.TrainingListener;
import io.github.selfsup4j.engine.TrainingState;
import io.github.selfsup4j.engine.listener.CheckpointListener;
import io.github.selfsup4j.engine.listener.EpochSummaryListener;
import io.github.selfsup4j.engine.listener.MemoryListener;
import io.github.selfsup4j.engine.listener.MetricsHistory;
import io.github.selfsup4j.engine.listener.NonFiniteListener;
import io.github.selfsup4j.engine.listener.ProgressListener;
import io.github.selfsup4j.gan.FeatureClassifier;
import io.github.selfsup4j.gan.GanJob;
import io.github.selfsup4j.gan.GanOptions;
import io.github.selfsup4j.gan.GanScores;
import io.github.selfsup4j.gan.GanScoringOptions;
import io.github.selfsup4j.gan.SampleGrid;
import io.github.selfsup4j.method.Check;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code selfsup4j gan}: trains a DCGAN generator and discriminator on 28×28 images as a job of
 * the training engine, then scores the generator's samples; {@code gan sample RUN_DIR} writes
 * samples of a trained run.
 */
@Command(
        name = "gan",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = {GanCommand.Sample.class, GanCommand.Score.class},
        description = {
            "Train a DCGAN-style generator and discriminator (Fashion-MNIST by default), then"
                    + " score 10,000 samples of the generator's moving average: Fréchet"
                    + " distance and KID in the features of a small classifier trained on the"
                    + " same data (not comparable to Inception FID), and its class histogram.",
            "Writes runs/<time>-gan-<loss>/ with metrics.json, loss.png, samples-epoch-NNN.png,"
                    + " samples.png and a resumable checkpoint."
        })
public final class GanCommand implements Callable<Integer> {

    /** Options a resumed run may change; any other given with --resume must match the run's. */
    static final Set<String> RESUMABLE = Set.of("--epochs", "--threads", "--no-progress",
            "--resume", "--runs-dir", "--eval-samples", "--kid-subsets");

    /** Seed offsets of the fixed noise of the epoch grids and of the scored samples. */
    static final long GRID_SEED = 1;
    static final long SCORE_SEED = 2;

    @Mixin
    RunCommandOptions common = new RunCommandOptions();

    @Mixin
    GanOptions options = new GanOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        long start = System.nanoTime();
        GanOptions o;
        Path dir;
        try {
            common.checkRunsDir();
            options.validate();
            if (common.resume != null) {
                dir = common.resume;
                try {
                    o = RunConfig.JSON.readValue(Checkpoint.config(dir), GanOptions.class);
                } catch (IOException e) {
                    throw new IOException("--resume " + e.getMessage(), e);
                }
                checkResumeConflicts(o);
            } else {
                o = options;
                o.makeDataAbsolute();
                o.applyLossDefaults();
                dir = TrainCommand.newRunDir(common.runsDir, "gan-" + o.kind().cliName());
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("selfsup4j gan: " + e.getMessage());
            return 2;
        }
        IdxDataset.Splits splits;
        try {
            splits = Datasets.load(o.data, o.limit);
            Check.require(splits.train().size() >= o.batchSize, "--batch-size", o.batchSize,
                    "is larger than the " + splits.train().size() + " training images");
        } catch (DataFormatError | IllegalArgumentException e) {
            System.err.println("selfsup4j gan: " + e.getMessage());
            return 2;
        }
        o.applyToEngine();
        GanJob job;
        try {
            job = new GanJob(o, splits.train());
        } catch (IllegalArgumentException e) {
            System.err.println("selfsup4j gan: " + e.getMessage());
            return 2;
        }
        try (job) {
            MetricsHistory history = new MetricsHistory();
            MemoryListener memory = new MemoryListener();
            NonFiniteListener nonFinite = new NonFiniteListener(1);
            TrainingState[] engineState = new TrainingState[1];
            Stateful progressPart = progressPart(() -> engineState[0]);
            final GanOptions config = o;
            CheckpointListener checkpoints = new CheckpointListener(dir, () -> toJson(config),
                    List.of(progressPart, history, memory, Stateful.of(job)),
                    Collective.single());
            List<TrainingListener> listeners = new ArrayList<>(List.of(history, memory,
                    nonFinite, checkpoints));
            if (common.progress()) {
                listeners.add(new ProgressListener(System.err));
            }
            listeners.add(new EpochSummaryListener(out, history, memory));
            listeners.add(new TrainingListener() {
                @Override
                public void onEpochEnd(TrainingState state) {
                    try {
                        SampleGrid.write(dir.resolve(String.format("samples-epoch-%03d.png",
                                state.epoch())), job.sample(64, o.seed + GRID_SEED,
                                job.samplesWithEma()), 64, 28);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            TrainingEngine<GanJob.ImageBatch> engine = TrainingEngine.builder(job)
                    .setEpochs(o.epochs).optListeners(listeners.toArray(new TrainingListener[0]))
                    .build();
            engineState[0] = engine.state();
            if (common.resume != null) {
                checkpoints.restore();
                if (given("--epochs")) {
                    o.epochs = options.epochs;
                }
                engine.state().setEpochs(o.epochs);
                out.printf("resuming %s at epoch %d of %d%n", dir, engine.state().epoch(),
                        o.epochs);
            } else {
                Files.createDirectories(dir);
            }
            out.printf("SelfSup4J gan: %s%s on %s (%d train images), %d epochs of %d"
                            + " discriminator steps of %d, %d per generator step, Adam lr G %.2g"
                            + " D %.2g β (%.2g, %.3g), z %d, widths G %d D %d, %d compute"
                            + " thread(s), seed %d%n", o.kind().cliName(),
                    o.spectralNorm ? " + spectral norm" : "",
                    o.data == null ? "Fashion-MNIST" : o.data, splits.train().size(), o.epochs,
                    job.batches().batchesPerEpoch(), o.batchSize, o.dSteps, o.lrG, o.lrD,
                    o.beta1, o.beta2, o.zDim, o.gWidth, o.dWidth, o.threads, o.seed);
            out.printf("run directory: %s%n", dir);
            TrainingEngine.Outcome outcome = TrainCommand.fitWithStopHook(engine);
            if (outcome == TrainingEngine.Outcome.FAILED) {
                System.err.printf("selfsup4j gan: %s at epoch %d, batch %d; the last good"
                                + " checkpoint (%s) is kept: resume with lower rates%n",
                        engine.failure().getMessage(), engine.state().epoch() + 1,
                        engine.state().nextBatch() + 1, checkpoints.lastSaved());
                return 1;
            }
            if (outcome == TrainingEngine.Outcome.STOPPED) {
                return 130;
            }
            double trainSeconds = engine.state().trainSeconds();
            long e0 = System.nanoTime();
            SampleGrid.write(dir.resolve("samples.png"), job.sample(64, o.seed + GRID_SEED,
                    job.samplesWithEma()), 64, 28);
            Map<String, Object> scores = evaluate(job, o, splits, out);
            double evalSeconds = (System.nanoTime() - e0) / 1e9;
            double wall = (System.nanoTime() - start) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", job.name());
            m.put("hyperparameters", RunConfig.JSON.valueToTree(o));
            m.put("epochs_completed", engine.state().epoch());
            m.put("steps", engine.state().step());
            m.put("epoch_d_loss", history.epochLoss());
            m.put("epoch_scalars", history.epochScalars());
            m.putAll(scores);
            m.put("images_per_second", engine.state().imagesPerSecond());
            m.put("nonfinite_gradient_retries", nonFinite.repeated());
            m.put("train_seconds", trainSeconds);
            m.put("eval_seconds", evalSeconds);
            m.put("wall_seconds", wall);
            m.put("rss_bytes_per_epoch", memory.rssPerEpoch());
            m.put("step_d_loss", history.stepLoss());
            RunConfig.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("metrics.json").toFile(), m);
            lossPlot(dir.resolve("loss.png"), job.name(), history,
                    job.batches().batchesPerEpoch());
            out.printf("train %.0f s, evaluation %.0f s, wall %.0f s; wrote %s%n", trainSeconds,
                    evalSeconds, wall, dir.resolve("metrics.json"));
            return 0;
        }
    }

    /** Scores the generated samples, the real floor and the untrained ceiling. */
    private Map<String, Object> evaluate(GanJob job, GanOptions o, IdxDataset.Splits splits,
            PrintStream out) throws IOException {
        String dataKey = o.data == null ? "embedded" : o.data;
        FeatureClassifier classifier = FeatureClassifier.loadOrTrain(
                common.runsDir.resolve(".classifier"), dataKey, o.limit, splits.train(), splits.test(),
                o.seed, o.classifierEpochs, out);
        try (classifier) {
            GanScores scores = new GanScores(classifier, splits.test(), o.evalSamples,
                    o.kidSubsets, o.seed);
            int n = scores.size();
            out.printf("scoring classifier: test accuracy %.4f%s; %d samples against %d test"
                    + " images (features of the classifier, not Inception: not comparable to"
                    + " FID)%n", classifier.testAccuracy(), classifier.fromCache()
                            ? " (cached)" : "", n, n);
            Map<String, Object> generated = scores.score(job.sample(n, o.seed + SCORE_SEED,
                    job.samplesWithEma()), n);
            int real = Math.min(n, splits.train().size());
            Map<String, Object> floor = scores.score(FeatureClassifier.pixels(splits.train(), 0,
                    real), real);
            Map<String, Object> ceiling;
            try (ai.djl.ndarray.NDManager m = job.manager().newSubManager()) {
                Block untrained = job.untrainedGenerator(m);
                ceiling = scores.score(GanJob.sample(untrained, n, o.seed + SCORE_SEED, o.zDim, m),
                        n);
            }
            out.printf("generator (%s): %s%n", job.samplesWithEma() ? "moving average" : "trained",
                    GanScores.line(generated));
            out.printf("floor (%d real training images): %s%n", real, GanScores.line(floor));
            out.printf("ceiling (untrained generator): %s%n", GanScores.line(ceiling));
            out.printf("class fractions of the samples: %s%n", generated.get("class_fractions"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scored_with", job.samplesWithEma() ? "ema" : "generator");
            m.put("classifier_test_accuracy", classifier.testAccuracy());
            m.put("frechet_distance", generated.get("frechet_distance"));
            m.put("kid", generated.get("kid"));
            m.put("scores", generated);
            m.put("floor_real_train", floor);
            m.put("ceiling_untrained_generator", ceiling);
            return m;
        }
    }

    private static void lossPlot(Path file, String title, MetricsHistory h, int stepsPerEpoch)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title + " losses")
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        List<Float> steps = h.stepLoss();
        if (!steps.isEmpty()) {
            double[] x = new double[steps.size()];
            double[] y = new double[steps.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i + 1.0) / stepsPerEpoch;
                y[i] = steps.get(i);
            }
            chart.addSeries("discriminator, per step", x, y)
                    .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        addEpochSeries(chart, "discriminator, epoch mean", h.epochLoss());
        addEpochSeries(chart, "generator, epoch mean", h.epochScalars().get("g_loss"));
        addEpochSeries(chart, "Wasserstein estimate, epoch mean",
                h.epochScalars().get("wasserstein"));
        BitmapEncoder.saveBitmap(chart, file.toString().replaceAll("\\.png$", ""),
                BitmapEncoder.BitmapFormat.PNG);
    }

    private static void addEpochSeries(XYChart chart, String name, List<Double> values) {
        if (values == null || values.isEmpty()) {
            return;
        }
        double[] x = new double[values.size()];
        double[] y = new double[values.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            y[i] = values.get(i);
        }
        chart.addSeries(name, x, y);
    }

    private static Stateful progressPart(java.util.function.Supplier<TrainingState> state) {
        return Stateful.deferred(state);
    }

    private static String toJson(GanOptions o) {
        try {
            return RunConfig.JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** With --resume, every given option that may not change must equal the run's value. */
    private void checkResumeConflicts(GanOptions saved) {
        GanCommand before = new GanCommand();
        before.options = saved;
        CommandLine savedLine = new CommandLine(before);
        ResumeConflicts.check(common.resume, spec.commandLine().getParseResult(), savedLine,
                RESUMABLE::contains, String.join(", ", RESUMABLE.stream()
                        .filter(s -> !s.equals("--resume")).sorted().toList()));
        if (given("--threads")) {
            saved.threads = options.threads;
        }
        if (given("--eval-samples")) {
            saved.evalSamples = options.evalSamples;
        }
        if (given("--kid-subsets")) {
            saved.kidSubsets = options.kidSubsets;
        }
    }

    /**
     * {@code selfsup4j gan score FILE}: scores images from elsewhere (an IDX file, e.g. a PyTorch
     * reference's samples) with the same cached classifier, test images and metrics as a run.
     */
    @Command(name = "score", mixinStandardHelpOptions = true, description = "Score the images of"
            + " an IDX unsigned-byte file (N×28×28, e.g. samples of another GAN) exactly as a gan"
            + " run scores its samples: same classifier (trained and cached if needed), same"
            + " test images, Fréchet distance, KID and class histogram.")
    static final class Score implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "The images (.idx or"
                + " .idx.gz).")
        Path file;

        @Mixin
        GanScoringOptions options = new GanScoringOptions();

        @Option(names = "--runs-dir", description = "Where the cached classifier is (default:"
                + " runs).")
        Path runsDir = Path.of("runs");

        @Override
        public Integer call() throws Exception {
            io.github.selfsup4j.data.IdxReader.Idx idx;
            IdxDataset.Splits splits;
            try {
                options.validate();
                options.makeDataAbsolute();
                idx = io.github.selfsup4j.data.IdxReader.read(file, 3);
                Check.require(idx.dims()[1] == 28 && idx.dims()[2] == 28, "FILE", file,
                        "must hold 28×28 images");
                Check.require(idx.count() >= 2, "FILE", file, "must hold at least 2 images"
                        + " (a covariance needs two), holds " + idx.count());
                splits = Datasets.load(options.data, options.limit);
            } catch (IllegalArgumentException | DataFormatError | UncheckedIOException e) {
                System.err.println("selfsup4j gan score: " + e.getMessage());
                return 2;
            }
            options.applyToEngine();
            int n = Math.min(idx.count(), options.evalSamples);
            float[] px = new float[n * 28 * 28];
            for (int i = 0; i < px.length; i++) {
                px[i] = (idx.data()[i] & 0xFF) / 127.5f - 1f;
            }
            String dataKey = options.data == null ? "embedded" : options.data;
            try (FeatureClassifier c = FeatureClassifier.loadOrTrain(runsDir.resolve(
                    ".classifier"), dataKey, options.limit, splits.train(), splits.test(),
                    options.seed, options.classifierEpochs, System.out)) {
                GanScores scores = new GanScores(c, splits.test(), n, options.kidSubsets,
                        options.seed);
                Map<String, Object> m = scores.score(px, n);
                System.out.printf("scoring classifier: test accuracy %.4f%s; %d images of %s"
                        + " against %d test images%n", c.testAccuracy(), c.fromCache()
                        ? " (cached)" : "", n, file, scores.size());
                System.out.printf("%s%nclass fractions: %s%n", GanScores.line(m),
                        m.get("class_fractions"));
                m.put("classifier_test_accuracy", c.testAccuracy());
                System.out.println(RunConfig.JSON.writeValueAsString(m));
            }
            return 0;
        }
    }

    /** {@code selfsup4j gan sample RUN_DIR --count N --out FILE}. */
    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Write N images"
            + " generated by a trained GAN run (its moving average by default), seeded: FILE"
            + " ending in .idx or .idx.gz is an IDX unsigned-byte N×28×28 file (the MNIST"
            + " format), .png a grid.")
    static final class Sample implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A gan run directory.")
        Path run;

        @Option(names = "--count", description = "How many images (default ${DEFAULT-VALUE}).")
        int count = 64;

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "The file: .idx, .idx.gz or .png.")
        Path out;

        @Option(names = "--seed", description = "Seed of the noise (default ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = "--no-ema", description = "Sample the trained generator, not its moving"
                + " average.")
        boolean noEma;

        @Option(names = "--threads", description = "PyTorch compute threads (default"
                + " ${DEFAULT-VALUE}).")
        int threads = 1;

        @Override
        public Integer call() throws Exception {
            String name = out.getFileName() == null ? "" : out.getFileName().toString();
            boolean png = name.endsWith(".png");
            GanOptions o;
            try {
                Check.atLeast("--count", count, 1);
                Check.atLeast("--threads", threads, 0);
                Check.require(png || name.endsWith(".idx") || name.endsWith(".idx.gz"), "--out",
                        out, "must end in .idx, .idx.gz or .png");
                try {
                    o = RunConfig.JSON.readValue(Checkpoint.config(run), GanOptions.class);
                } catch (IOException e) {
                    throw new IllegalArgumentException("RUN_DIR " + e.getMessage(), e);
                }
            } catch (IllegalArgumentException e) {
                System.err.println("selfsup4j gan sample: " + e.getMessage());
                return 2;
            }
            if (threads > 0) {
                ComputeThreads.set(threads);
            }
            // the job needs a batch source: a blank one, since only the weights are used
            ImageDataset blank = new ImageDataset(new byte[o.batchSize * 28 * 28],
                    new int[o.batchSize], 28, 28, IdxDataset.FASHION_CLASSES);
            try (GanJob job = new GanJob(o, blank)) {
                Checkpoint.read(run, List.of(progressPart(() -> new TrainingState(1, 1)),
                        new MetricsHistory(), new MemoryListener(), Stateful.of(job)));
                float[] px = job.sample(count, seed, !noEma);
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                if (png) {
                    SampleGrid.write(out, px, count, 28);
                } else {
                    IdxWriter.writeImages(out, px, IdxWriter.PixelRange.MINUS_ONE_ONE);
                }
            }
            System.out.printf("wrote %d images to %s%n", count, out);
            return 0;
        }
    }
}
