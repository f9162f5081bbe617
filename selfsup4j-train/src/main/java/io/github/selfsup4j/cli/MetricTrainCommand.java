package io.github.selfsup4j.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.engine.Checkpoint;
import io.github.selfsup4j.engine.NonFiniteException;
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
import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.MethodOptions;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.report.Plots;
import io.github.selfsup4j.supervised.MetricMethod;
import io.github.selfsup4j.supervised.MetricOptions;
import io.github.selfsup4j.supervised.MetricSetup;
import io.github.selfsup4j.supervised.MetricSpec;
import io.github.selfsup4j.supervised.Protocol;
import io.github.selfsup4j.supervised.RetrievalEvaluation;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup4j train --method triplet|contrastive|supcon|multi-similarity}: supervised
 * metric learning on P×K class-balanced batches, then retrieval evaluation under {@code
 * --protocol} beside the raw-pixel and random-network baselines. The shared training options are
 * {@link SslOptions}' (those that only self-supervised runs use are refused), the metric options
 * {@link MetricOptions}', and the method's own are added when the command is built.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Learn an image embedding from labels with a metric-learning loss on P×K batches,"
                    + " then report Precision@1, R-Precision and MAP@R beside the baselines.",
            "Writes runs/<time>-<method>/ with metrics.json, loss.png, embedding.png and a"
                    + " resumable checkpoint (also for bin/selfsup4j embed)."
        })
public final class MetricTrainCommand implements Callable<Integer> {

    /** Shared options that only self-supervised runs use. */
    static final Set<String> NOT_APPLICABLE = Set.of("--batch-size", "--projection-hidden",
            "--projection-dim", "--projection-layers", "--probe-epochs");

    /** Options that a resumed run may change; any other given with --resume must match. */
    static final Set<String> RESUMABLE = Set.of("--epochs", "--lr", "--threads",
            "--augment-threads", "--no-progress", "--no-baselines", "--eval-batch", "--resume",
            "--runs-dir");

    @Option(names = "--method", description = "The method (metric learning: triplet,"
            + " contrastive, supcon, multi-similarity).")
    String method;

    @Mixin
    RunCommandOptions common = new RunCommandOptions();

    @Mixin
    BaselinesOption baselines = new BaselinesOption();

    @Mixin
    SslOptions shared;

    @Mixin
    MetricOptions metric;

    private MetricSpec<?> spec;
    private MethodOptions methodOptions;
    private CommandLine self;

    /** The command for a registered metric method. */
    static CommandLine commandLine(MetricSpec<?> spec) {
        MetricTrainCommand t = new MetricTrainCommand();
        t.spec = spec;
        t.method = spec.name();
        t.shared = spec.defaults();
        t.metric = new MetricOptions();
        t.methodOptions = spec.options().get();
        CommandLine cl = new CommandLine(t);
        cl.addMixin("method", t.methodOptions);
        t.self = cl;
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        long start = System.nanoTime();
        double loadAtStart = loadAverage();
        RunConfig config;
        Protocol.Split split;
        MetricMethod job;
        try {
            for (String o : NOT_APPLICABLE) {
                if (given(o)) {
                    throw new IllegalArgumentException(o + " "
                            + self.getParseResult().matchedOption(o).getValue()
                            + ": does not apply to --method " + method + " (the batch is"
                            + " --classes-per-batch × --samples-per-class)");
                }
            }
            if (common.resume != null) {
                try {
                    config = RunConfig.fromJson(Checkpoint.config(common.resume));
                } catch (IOException e) {
                    throw new IOException("--resume " + e.getMessage(), e);
                }
                Check.require(config.metric != null, "--resume", common.resume,
                        "is a self-supervised run, not a metric-learning one");
                checkResumeConflicts(config);
            } else {
                common.checkRunsDir();
                metric.validate();
                shared.batchSize = metric.batchSize();
                shared.validate();
                methodOptions.validate();
                shared.makeDataAbsolute();
                config = new RunConfig();
                config.method = spec.name();
                config.options = shared;
                config.metric = metric;
                config.methodOptions = RunConfig.JSON.valueToTree(methodOptions);
            }
            SslOptions o = config.options;
            split = config.metric.protocol.split(Datasets.load(o.data, o.limit), o.validation,
                    o.seed);
            o.applyToEngine();
            job = spec.create(MetricSetup.of(o, config.metric, split.train()),
                    config.methodOptions(spec.optionsClass()));
        } catch (IllegalArgumentException | DataFormatError | IOException e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        SslOptions o = config.options;
        MetricOptions mo = config.metric;
        try (job) {
            Path dir = common.resume != null ? common.resume
                    : TrainCommand.newRunDir(common.runsDir, spec.name());
            Runner run = new Runner(job, config, dir, common.progress());
            if (common.resume != null) {
                run.checkpoints.restore();
                job.setSchedule(config.resume(run.engine.state().step(), job.batchesPerEpoch(),
                        given("--epochs") ? shared.epochs : null, given("--lr") ? shared.lr
                                : null, out));
                run.engine.state().setEpochs(o.epochs);
                out.printf("resuming %s at epoch %d of %d%n", dir, run.engine.state().epoch(),
                        o.epochs);
            } else {
                config.schedule = new ArrayList<>(job.schedule().segments());
            }
            out.printf("SelfSup4J train: %s (supervised), %s protocol on %s (%d train images of"
                            + " %d classes; %d queries, %d references, %s split), %s%s,"
                            + " embedding %d, %d epochs of %d batches of %d × %d, %s lr %.2g,"
                            + " seed %d, load average %.1f%n", spec.name(),
                    mo.protocol.cliName(), o.data == null ? "Fashion-MNIST" : o.data,
                    split.train().size(), classes(split.train()), split.queries().size(),
                    split.references().size(), split.scoredOn(), o.encoder.cliName(),
                    o.encoder == Encoders.Architecture.SMALL_CNN ? " width " + o.width : "",
                    mo.embeddingDim, o.epochs, job.batchesPerEpoch(), mo.classesPerBatch,
                    mo.samplesPerClass, o.optimizer.cliName(), job.schedule().peakLr(), o.seed,
                    loadAtStart);
            out.printf("run directory: %s%n", dir);
            TrainingEngine.Outcome outcome = TrainCommand.fitWithStopHook(run.engine);
            if (outcome == TrainingEngine.Outcome.STOPPED) {
                out.printf("stopped at epoch %d, batch %d/%d; checkpoint saved in %s%n",
                        run.engine.state().epoch() + 1, run.engine.state().nextBatch(),
                        job.batchesPerEpoch(), dir);
                return 130;
            }
            if (outcome != TrainingEngine.Outcome.FINISHED) {
                NonFiniteException e = run.engine.failure();
                run.write(null, split, Map.of("what", e == null ? "stopped" : e.what(), "value",
                        e == null ? "" : String.valueOf(e.value())), loadAtStart,
                        (System.nanoTime() - start) / 1e9);
                System.err.printf("selfsup4j train: %s at epoch %d; the last good checkpoint"
                        + " is kept in %s%n", e == null ? "stopped" : e.getMessage(),
                        run.engine.state().epoch() + 1, dir);
                return 1;
            }
            out.printf("evaluating (frozen network, %s protocol: %d %s queries among %d"
                            + " references)...%n", mo.protocol.cliName(),
                    split.queries().size(), split.scoredOn(), split.references().size());
            RetrievalEvaluation.Report report = RetrievalEvaluation.run(job, split,
                    baselines.wanted(), out);
            double wall = (System.nanoTime() - start) / 1e9;
            run.write(report, split, null, loadAtStart, wall);
            out.printf("%nresult (%s, %s protocol, %d epochs, %s split): Precision@1 %.4f,"
                            + " R-Precision %.4f, MAP@R %.4f, kNN k=%d %.4f%n", spec.name(),
                    mo.protocol.cliName(), o.epochs, split.scoredOn(),
                    report.encoder().precisionAt1(), report.encoder().rPrecision(),
                    report.encoder().mapAtR(), report.knnK(), report.encoder().knnAccuracy());
            if (report.rawPixels() != null) {
                out.printf("baselines: raw pixels Precision@1 %.4f, MAP@R %.4f; random network"
                                + " Precision@1 %.4f, MAP@R %.4f%n",
                        report.rawPixels().precisionAt1(), report.rawPixels().mapAtR(),
                        report.randomEncoder().precisionAt1(), report.randomEncoder().mapAtR());
            }
            out.printf("images/s %.0f, train %.0f s, evaluation %.0f s, wall %.0f s (process CPU"
                            + " %.0f s, load average %.1f at the start, %.1f at the end); wrote"
                            + " %s%n", run.engine.state().imagesPerSecond(),
                    run.engine.state().trainSeconds(), report.seconds(), wall,
                    processCpuSeconds(), loadAtStart, loadAverage(),
                    dir.resolve("metrics.json"));
            return 0;
        }
    }

    private boolean given(String option) {
        return self.getParseResult().hasMatchedOption(option);
    }

    /**
     * With --resume, every option given on the command line that a resumed run may not change
     * must equal the run's value; the message names each one that does not. The options that
     * may change are checked and taken.
     */
    private void checkResumeConflicts(RunConfig config) throws IOException {
        MetricTrainCommand saved = new MetricTrainCommand();
        saved.method = config.method;
        saved.shared = config.options;
        saved.metric = config.metric;
        saved.methodOptions = config.methodOptions(spec.optionsClass());
        CommandLine savedLine = new CommandLine(saved);
        savedLine.addMixin("method", saved.methodOptions);
        ResumeConflicts.check(common.resume, self.getParseResult(), savedLine, RESUMABLE::contains,
                "--epochs, --lr, --threads, --augment-threads, --eval-batch, --no-progress,"
                        + " --no-baselines");
        if (given("--epochs")) {
            Check.atLeast("--epochs", shared.epochs, 1);
        }
        if (given("--lr")) {
            Check.positive("--lr", shared.lr);
        }
        if (given("--threads")) {
            Check.atLeast("--threads", shared.threads, 0);
            config.options.threads = shared.threads;
        }
        if (given("--augment-threads")) {
            Check.atLeast("--augment-threads", shared.augmentThreads, 1);
            config.options.augmentThreads = shared.augmentThreads;
        }
        if (given("--eval-batch")) {
            Check.atLeast("--eval-batch", shared.evalBatch, 1);
            config.options.evalBatch = shared.evalBatch;
        }
    }

    private static long classes(io.github.selfsup4j.data.ImageDataset d) {
        return java.util.Arrays.stream(d.labels()).distinct().count();
    }

    /** The one-minute load average of the machine (what the run shared it with). */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * CPU time of this process so far, all threads (on a shared machine, wall time says how busy
     * the others were; this says what the run itself cost).
     */
    static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9
                : Double.NaN;
    }

    /** The checkpoint parts of a metric run, in order: progress, history, memory, job. */
    static List<Stateful> parts(Stateful progress, MetricsHistory history, MemoryListener memory,
            MetricMethod job) {
        return List.of(progress, history, memory, Stateful.of(job));
    }

    /** The job with its engine and listeners, and the run's files. */
    private static final class Runner {
        final MetricMethod job;
        final RunConfig config;
        final Path dir;
        final MetricsHistory history = new MetricsHistory();
        final MemoryListener memory = new MemoryListener();
        final NonFiniteListener nonFinite = new NonFiniteListener(1);
        final CheckpointListener checkpoints;
        final TrainingEngine<io.github.selfsup4j.augment.LabelledBatch> engine;

        Runner(MetricMethod job, RunConfig config, Path dir, boolean progress) {
            this.job = job;
            this.config = config;
            this.dir = dir;
            TrainingState[] state = new TrainingState[1];
            Stateful progressPart = Stateful.deferred(() -> state[0]);
            Collective single = Collective.single();
            this.checkpoints = new CheckpointListener(dir, config::toJson,
                    parts(progressPart, history, memory, job), single);
            List<TrainingListener> listeners = new ArrayList<>(List.of(history, memory,
                    nonFinite, checkpoints));
            if (progress) {
                listeners.add(new ProgressListener(System.err));
            }
            listeners.add(new EpochSummaryListener(System.out, history, memory));
            this.engine = TrainingEngine.builder(job).setEpochs(config.options.epochs)
                    .optCollective(single)
                    .optListeners(listeners.toArray(new TrainingListener[0])).build();
            state[0] = engine.state();
        }

        void write(RetrievalEvaluation.Report report, Protocol.Split split,
                Map<String, Object> failure, double loadAtStart, double wall)
                throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", config.method);
            m.put("protocol", config.metric.protocol.cliName());
            ObjectNode h = config.hyperparameters();
            h.setAll((ObjectNode) RunConfig.JSON.valueToTree(config.metric));
            for (String o : NOT_APPLICABLE) {
                h.remove(o.substring(2).replace('-', '_'));
            }
            m.put("hyperparameters", h);
            m.put("seed", config.options.seed);
            m.put("epochs_completed", engine.state().epoch());
            m.put("epoch_loss", history.epochLoss());
            if (failure != null) {
                m.put("failure", failure);
            }
            if (report != null) {
                m.put("scored_on", split.scoredOn());
                m.put("queries", split.queries().size());
                m.put("references", split.references().size());
                m.putAll(report.toMap());
                m.put("eval_seconds", report.seconds());
            }
            m.put("images_per_second", engine.state().imagesPerSecond());
            m.put("nonfinite_gradient_retries", nonFinite.repeated());
            m.put("train_seconds", engine.state().trainSeconds());
            m.put("wall_seconds", wall);
            m.put("load_average_start", loadAtStart);
            m.put("load_average_end", loadAverage());
            m.put("process_cpu_seconds", processCpuSeconds());
            m.put("rss_bytes_per_epoch", memory.rssPerEpoch());
            m.put("learning_rate_schedule", config.schedule);
            m.put("resumes", config.resumes);
            m.put("step_loss", history.stepLoss());
            RunConfig.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("metrics.json").toFile(), m);
            Plots.loss(dir.resolve("loss.png"), config.method + " loss", history.stepLoss(),
                    job.batchesPerEpoch(), history.epochLoss());
            if (report != null) {
                Plots.embedding(dir.resolve("embedding.png"), config.method + " "
                        + split.scoredOn() + " query embeddings (PCA)", report.queryEmbeddings(),
                        split.queries().labels(), split.queries().classes(), 4000);
            }
        }
    }
}
