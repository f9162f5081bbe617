package io.github.selfsup4j.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.selfsup4j.augment.ViewBatch;
import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.Normalization;
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
import io.github.selfsup4j.eval.Evaluation;
import io.github.selfsup4j.launch.DistributedOptions;
import io.github.selfsup4j.launch.Launcher;
import io.github.selfsup4j.launch.TimedCollective;
import io.github.selfsup4j.launch.Workers;
import io.github.selfsup4j.method.MethodOptions;
import io.github.selfsup4j.method.MethodSpec;
import io.github.selfsup4j.method.SslMethod;
import io.github.selfsup4j.method.SslOptions;
import io.github.selfsup4j.method.SslSetup;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.report.Plots;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup4j train}: self-supervised training on images, then evaluation. The options of
 * the chosen method are added to the command when it is built ({@link #commandLine}), so each
 * option is declared once, in its method's class.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Learn an image encoder without labels (Fashion-MNIST by default), then report kNN and"
                    + " linear-probe accuracy beside the baselines.",
            "Writes runs/<time>-<method>/ with metrics.json, loss.png, embedding.png and a"
                    + " resumable checkpoint. `train --method M --help` lists M's own options."
        })
public final class TrainCommand implements Callable<Integer> {

    /** Options that a resumed run may change; any other given with --resume must match. */
    static final Set<String> RESUMABLE = Set.of("--epochs", "--lr", "--threads",
            "--augment-threads", "--no-progress", "--no-baselines", "--probe-epochs",
            "--eval-batch", "--resume", "--runs-dir");

    @Option(names = "--method", description = "The method: ${COMPLETION-CANDIDATES}"
            + " (default ${DEFAULT-VALUE}).", completionCandidates = MethodNames.class)
    String method;

    @Mixin
    RunCommandOptions common = new RunCommandOptions();

    @Mixin
    BaselinesOption baselines = new BaselinesOption();

    @Mixin
    SslOptions shared;

    @Mixin
    DistributedOptions dist;

    /** This process's ranks: one, or the group a launcher or cluster started it in. */
    private Collective collective = Collective.single();

    private MethodSpec<?> spec;
    private MethodOptions methodOptions;
    private CommandLine self;
    private String unknownMethod;

    /** The names of the registered methods, for the help. */
    static final class MethodNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        MethodNames() {
            super(MetricMethods.allNames());
        }
    }

    /**
     * The {@code train} command for these arguments: with the options of the method they name
     * (or of the resumed run's method, or the default).
     */
    static CommandLine commandLine(String... args) {
        String name = methodOf(args);
        TrainCommand t = new TrainCommand();
        MethodSpec<?> spec = Methods.find(name);
        String resumed = resumedMethod(args);
        if (spec == null && resumed != null && MetricMethods.find(name) != null) {
            // a metric method given to resume a self-supervised run: a conflict with the run
            spec = Methods.find(resumed);
        }
        if (spec == null) {
            t.unknownMethod = name;
            spec = Methods.find(Methods.names().get(0));
        }
        t.spec = spec;
        t.method = Methods.names().get(0); // the default the help shows; --method sets it
        t.shared = spec.defaults();
        t.methodOptions = spec.options().get();
        CommandLine cl = new CommandLine(t);
        cl.addMixin("method", t.methodOptions);
        t.self = cl;
        return cl;
    }

    /** The method the arguments name: --method, else the resumed run's, else the default. */
    private static String methodOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--method") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (a.startsWith("--method=")) {
                return a.substring("--method=".length());
            }
        }
        String resumed = resumedMethod(args);
        return resumed != null ? resumed : Methods.names().get(0);
    }

    /**
     * The method of the run that {@code --resume} names among the arguments, or null (no
     * --resume, or no readable checkpoint: the command reports that when it runs).
     */
    static String resumedMethod(String[] args) {
        String resumeDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--resume") && i + 1 < args.length) {
                resumeDir = args[i + 1];
            } else if (a.startsWith("--resume=")) {
                resumeDir = a.substring("--resume=".length());
            }
        }
        if (resumeDir != null) {
            try {
                return RunConfig.fromJson(Checkpoint.config(Path.of(resumeDir))).method;
            } catch (IOException | RuntimeException e) {
                // reported by call(), which reads the checkpoint again
            }
        }
        return null;
    }

    /** The error for an unknown --method, or null. */
    String unknownMethodError() {
        return unknownMethod == null ? null : "--method " + unknownMethod + ": must be one of "
                + String.join(", ", MetricMethods.allNames());
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        long start = System.nanoTime();
        RunConfig config;
        Path dir;
        try {
            if (unknownMethod != null) {
                throw new IllegalArgumentException(unknownMethodError());
            }
            dist.validate(this::given);
            if (common.resume != null) {
                dir = common.resume;
                try {
                    config = RunConfig.fromJson(Checkpoint.config(dir));
                } catch (IOException e) {
                    throw new IOException("--resume " + e.getMessage(), e);
                }
                checkResumeConflicts(config);
            } else {
                common.checkRunsDir();
                shared.validate();
                methodOptions.validate();
                shared.makeDataAbsolute();
                config = RunConfig.of(spec, shared, methodOptions);
                dir = null; // made below by rank 0 alone (a launcher makes none)
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        if (dist.launches()) {
            return Launcher.launch(dist, self.getParseResult().originalArgs(), given("--threads"),
                    out, System.err);
        }
        try {
            collective = Workers.join(System.getenv(), dist.timeoutMillis(),
                    dist.rendezvousMillis());
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        if (collective.rank() != 0) {
            out = new PrintStream(java.io.OutputStream.nullOutputStream()); // rank 0 reports
        }
        if (dir == null) {
            // only rank 0 writes the run; the others hold a path they never create
            try {
                dir = collective.rank() == 0 ? newRunDir(common.runsDir, config.method)
                        : common.runsDir.resolve("rank-" + collective.rank() + "-writes-nothing");
            } catch (IOException e) {
                System.err.println("selfsup4j train: --runs-dir " + common.runsDir + ": " + e);
                return 2;
            }
        }
        if (common.resume == null) {
            config.worldSize = collective.worldSize();
        } else if (config.worldSize != collective.worldSize()) {
            System.err.println("selfsup4j train: --resume " + common.resume + ": the run trains on "
                    + config.worldSize + " process(es), this one has " + collective.worldSize()
                    + " (the global batch and the data order depend on it); resume with"
                    + (config.worldSize == 1 ? "out --nproc-per-node"
                            : " --nproc-per-node and --nnodes giving " + config.worldSize));
            return 2;
        }
        SslOptions o = config.options;
        IdxDataset.Splits splits;
        try {
            splits = Datasets.load(o.data, o.limit);
        } catch (DataFormatError e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        ImageDataset train = splits.train();
        ImageDataset queries = splits.test();
        String scoredOn = "test";
        if (o.validation > 0) {
            try {
                ImageDataset[] parts = train.holdOut(o.validation, o.seed);
                train = parts[0];
                queries = parts[1];
                scoredOn = "validation";
            } catch (IllegalArgumentException e) {
                System.err.println("selfsup4j train: " + e.getMessage());
                return 2;
            }
        }
        o.applyToEngine();
        MethodSpec<?> ms = Methods.get(config.method);
        SslSetup setup = new SslSetup(o, train.images(), Normalization.of(train.images()),
                collective.rank(), collective.worldSize());
        SslMethod job;
        try {
            job = ms.create(setup, config.methodOptions(ms));
        } catch (IllegalArgumentException e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        try (job) {
            Run run = new Run(job, config, dir, out, common.progress() && collective.rank() == 0);
            if (common.resume != null) {
                run.checkpoints.restore();
                run.applyResumeChanges(given("--epochs"), given("--lr") ? shared.lr : null);
                out.printf("resuming %s at epoch %d of %d%n", dir, run.engine.state().epoch(),
                        o.epochs);
            } else {
                config.schedule = new ArrayList<>(job.schedule().segments());
                if (collective.rank() == 0) {
                    Files.createDirectories(dir);
                }
            }
            out.printf("SelfSup4J train: %s on %s (%d train / %d %s images), %s%s,"
                            + " %d epochs of %d batches of %d, %s lr %.2g, seed %d, device %s%n",
                    config.method, o.data == null ? "Fashion-MNIST" : o.data, train.size(),
                    queries.size(), scoredOn, o.encoder.cliName(),
                    o.encoder == Encoders.Architecture.SMALL_CNN ? " width " + o.width + ", "
                            + Encoders.featureDim(o.encoder, o.width, o.poolGrid) + " features"
                            : "", o.epochs, job.batchesPerEpoch(), o.batchSize,
                    o.optimizer.cliName(), job.schedule().peakLr(), o.seed,
                    job.manager().getDevice());
            out.printf("run directory: %s%n", dir);
            if (collective.worldSize() > 1) {
                out.printf("data parallel: %d processes × batch %d = global batch %d%n",
                        collective.worldSize(), o.batchSize, collective.worldSize() * o.batchSize);
            }
            TrainingEngine.Outcome outcome = fitWithStopHook(run.engine);
            if (outcome == TrainingEngine.Outcome.STOPPED) {
                out.printf("stopped at epoch %d, batch %d/%d; checkpoint saved in %s%n",
                        run.engine.state().epoch() + 1, run.engine.state().nextBatch(),
                        job.batchesPerEpoch(), dir);
                return 130;
            }
            if (outcome == TrainingEngine.Outcome.FAILED) {
                return run.reportFailure((System.nanoTime() - start) / 1e9);
            }
            if (collective instanceof TimedCollective t) {
                run.collectiveSeconds = t.seconds(); // the training's, before the barrier
            }
            if (collective.worldSize() > 1) {
                collective.barrier(); // every rank has trained; rank 0 evaluates, once
                if (collective.rank() != 0) {
                    return 0;
                }
            }
            out.printf("evaluating (frozen encoder, training images as memory, %s images as"
                    + " queries)...%n", scoredOn);
            Evaluation.Report report = job.evaluate(train, queries, baselines.wanted(), out);
            run.writeResults(report, queries, scoredOn, null,
                    (System.nanoTime() - start) / 1e9);
            out.printf("%nresult (%s, %d epochs, %s split): kNN top-1 k=20 %.4f, k=200 %.4f,"
                            + " linear probe %.4f%n", config.method, o.epochs, scoredOn,
                    report.encoder().knnK20(), report.encoder().knnK200(),
                    report.encoder().linearProbe());
            if (report.rawPixels() != null) {
                out.printf("baselines: raw pixels kNN k=20 %.4f; random encoder kNN k=20 %.4f,"
                                + " linear probe %.4f%n", report.rawPixels().knnK20(),
                        report.randomEncoder().knnK20(), report.randomEncoder().linearProbe());
            }
            out.printf("images/s %.0f, wall %.0f s; wrote %s%n",
                    run.engine.state().imagesPerSecond() * collective.worldSize(),
                    (System.nanoTime() - start) / 1e9, dir.resolve("metrics.json"));
            return 0;
        }
    }

    private boolean given(String option) {
        return self.getParseResult().hasMatchedOption(option);
    }

    /**
     * With --resume, every option given on the command line that a resumed run may not change
     * must equal the run's value; the message names each one that does not.
     */
    private void checkResumeConflicts(RunConfig config) throws IOException {
        MethodSpec<?> runSpec = Methods.get(config.method);
        TrainCommand saved = new TrainCommand();
        saved.method = config.method;
        saved.shared = config.options;
        saved.methodOptions = config.methodOptions(runSpec);
        CommandLine savedLine = new CommandLine(saved);
        savedLine.addMixin("method", saved.methodOptions);
        ResumeConflicts.check(common.resume, self.getParseResult(), savedLine,
                name -> RESUMABLE.contains(name) || DistributedOptions.NAMES.contains(name),
                "--epochs, --lr, --threads, --augment-threads, --probe-epochs, --eval-batch,"
                        + " --no-progress, --no-baselines");
        if (given("--epochs")) {
            io.github.selfsup4j.method.Check.atLeast("--epochs", shared.epochs, 1);
        }
        if (given("--lr")) {
            io.github.selfsup4j.method.Check.positive("--lr", shared.lr);
        }
        if (given("--threads")) {
            io.github.selfsup4j.method.Check.atLeast("--threads", shared.threads, 0);
            config.options.threads = shared.threads;
        }
        if (given("--augment-threads")) {
            io.github.selfsup4j.method.Check.atLeast("--augment-threads", shared.augmentThreads,
                    1);
            config.options.augmentThreads = shared.augmentThreads;
        }
        if (given("--probe-epochs")) {
            io.github.selfsup4j.method.Check.atLeast("--probe-epochs", shared.probeEpochs, 1);
            config.options.probeEpochs = shared.probeEpochs;
        }
        if (given("--eval-batch")) {
            io.github.selfsup4j.method.Check.atLeast("--eval-batch", shared.evalBatch, 1);
            config.options.evalBatch = shared.evalBatch;
        }
    }

    /** A job with its engine and listeners, and the run's files. */
    private final class Run {
        final SslMethod job;
        final RunConfig config;
        final Path dir;
        final PrintStream out;
        final MetricsHistory history = new MetricsHistory();
        final MemoryListener memory = new MemoryListener();
        final NonFiniteListener nonFinite = new NonFiniteListener(1);
        final CheckpointListener checkpoints;
        final TrainingEngine<ViewBatch> engine;
        /** Seconds this rank spent in collective calls while training (several processes). */
        Double collectiveSeconds;

        Run(SslMethod job, RunConfig config, Path dir, PrintStream out, boolean progress) {
            this.job = job;
            this.config = config;
            this.dir = dir;
            this.out = out;
            Collective single = collective;
            this.checkpoints = new CheckpointListener(dir, config::toJson, List.of(
                    Stateful.deferred(this::progress), history, memory,
                    Stateful.of(job)), single);
            List<TrainingListener> listeners = new ArrayList<>(List.of(history, memory,
                    nonFinite, checkpoints));
            if (progress) {
                listeners.add(new ProgressListener(System.err));
            }
            listeners.add(new EpochSummaryListener(out, history, memory));
            this.engine = TrainingEngine.builder(job).setEpochs(config.options.epochs)
                    .optCollective(single)
                    .optListeners(listeners.toArray(new TrainingListener[0]))
                    .build();
        }

        /** The engine's progress (a checkpoint part; the engine is built after its parts). */
        private TrainingState progress() {
            return engine.state();
        }

        /** Applies what a resume changes: more or fewer epochs, a new peak learning rate. */
        void applyResumeChanges(boolean epochsGiven, Double newLr) {
            job.setSchedule(config.resume(engine.state().step(), job.batchesPerEpoch(),
                    epochsGiven ? shared.epochs : null, newLr, out));
            engine.state().setEpochs(config.options.epochs);
        }

        /** Writes metrics.json with the failure and says how to resume; exit code 1. */
        int reportFailure(double wall) throws IOException {
            NonFiniteException e = engine.failure();
            double suggested = job.schedule().peakLr() / 10;
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("what", e.what());
            failure.put("value", String.valueOf(e.value()));
            failure.put("epoch", engine.state().epoch() + 1);
            failure.put("batch", engine.state().nextBatch() + 1);
            failure.put("step", engine.state().step() + 1);
            failure.put("learning_rate", job.learningRate());
            failure.put("suggested_lr", suggested);
            failure.put("checkpoint_resumes_at", checkpoints.lastSaved());
            writeResults(null, null, null, failure, wall);
            System.err.printf("selfsup4j train: %s at epoch %d, batch %d (step %d); the last good"
                            + " checkpoint (%s) is kept: resume with a lower learning rate,"
                            + " e.g. bin/selfsup4j train --resume %s --lr %.2g%n", e.getMessage(),
                    engine.state().epoch() + 1, engine.state().nextBatch() + 1,
                    engine.state().step() + 1, checkpoints.lastSaved(), dir, suggested);
            return 1;
        }

        void writeResults(Evaluation.Report report, ImageDataset queries, String scoredOn,
                Map<String, Object> failure, double wallSeconds) throws IOException {
            if (collective.rank() != 0) {
                return; // rank 0 writes metrics and plots
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", config.method);
            m.put("hyperparameters", config.hyperparameters());
            m.put("seed", config.options.seed);
            m.put("world_size", collective.worldSize());
            m.put("epochs_completed", engine.state().epoch());
            m.put("epoch_loss", history.epochLoss());
            if (failure != null) {
                m.put("failure", failure);
            }
            if (report != null) {
                m.put("scored_on", scoredOn);
                m.putAll(report.toMap());
                m.put("eval_seconds", report.seconds());
            }
            // every rank trains on as many images as this one: the run's throughput
            m.put("images_per_second", engine.state().imagesPerSecond() * collective.worldSize());
            m.put("nonfinite_gradient_retries", nonFinite.repeated());
            m.put("train_seconds", engine.state().trainSeconds());
            m.put("wall_seconds", wallSeconds);
            m.put("rss_bytes_per_epoch", memory.rssPerEpoch());
            m.put("learning_rate_schedule", config.schedule);
            m.put("resumes", config.resumes);
            m.put("step_loss", history.stepLoss());
            if (collectiveSeconds != null) {
                m.put("collective_seconds", collectiveSeconds); // communication and waiting
            }
            m.put("device", job.manager().getDevice().toString());
            RunConfig.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("metrics.json").toFile(), m);
            Plots.loss(dir.resolve("loss.png"), config.method + " loss", history.stepLoss(),
                    job.batchesPerEpoch(), history.epochLoss());
            if (report != null) {
                Plots.embedding(dir.resolve("embedding.png"), config.method + " " + scoredOn
                                + " embeddings (PCA of encoder features)", report.testFeatures(),
                        queries.labels(), queries.classes(), 4000);
            }
        }
    }

    /**
     * Trains; Ctrl-C (any orderly shutdown) stops after the current step and waits up to a
     * minute for the checkpoint the engine then saves, so the run resumes from that step.
     */
    static TrainingEngine.Outcome fitWithStopHook(TrainingEngine<?> engine) {
        CountDownLatch saved = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            engine.requestStop();
            try {
                saved.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "selfsup4j-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainingEngine.Outcome outcome;
        try {
            outcome = engine.fit();
        } finally {
            saved.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return TrainingEngine.Outcome.STOPPED; // shutting down
        }
        return outcome;
    }

    /**
     * Creates a new run directory {@code <time>-<method>[-i]}. The directory is created here,
     * atomically, so runs started in the same second (a sweep, several processes) never share
     * one.
     */
    static Path newRunDir(Path runsDir, String method) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.createDirectories(runsDir);
        for (int i = 1; ; i++) {
            Path dir = runsDir.resolve(stamp + "-" + method + (i == 1 ? "" : "-" + i));
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // taken by another run started in the same second: try the next suffix
            }
        }
    }
}
