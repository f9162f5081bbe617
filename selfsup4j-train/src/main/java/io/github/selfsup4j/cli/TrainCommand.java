package io.github.selfsup4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.selfsup4j.data.DataFormatError;
import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.eval.Evaluation;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.report.Checkpoint;
import io.github.selfsup4j.report.Plots;
import io.github.selfsup4j.train.TrainConfig;
import io.github.selfsup4j.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code selfsup4j train}: self-supervised training on images, then evaluation. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Learn an image encoder without labels (Fashion-MNIST by default), then report kNN and"
                    + " linear-probe accuracy beside the baselines.",
            "Writes runs/<time>-<method>/ with metrics.json, loss.png, embedding.png and a"
                    + " resumable checkpoint."
        })
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--method", description = "simclr (default), moco, hcl, barlow-twins, vicreg")
    String method = "simclr";

    @Option(names = "--epochs", description = "Training epochs (default 12).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Images per batch (default 256).")
    Integer batchSize;

    @Option(names = "--lr", description = "Peak learning rate (default 2e-3 for adam).")
    Double lr;

    @Option(names = "--optimizer", description = "adam (default), lars or sgd.")
    String optimizer;

    @Option(names = "--weight-decay", description = "Weight decay (default 1e-6).")
    Double weightDecay;

    @Option(names = "--warmup-epochs", description = "Linear warm-up, in epochs (default 0.5).")
    Double warmupEpochs;

    @Option(names = "--temperature", description = "Temperature (simclr, hcl 0.5; moco 0.2).")
    Double temperature;

    @Option(names = "--pairs-per-sample", description = "View pairs per image (simclr only).")
    Integer pairsPerSample;

    @Option(names = "--tau-plus", description = "HCL's class prior τ⁺ (default 0.1).")
    Double tauPlus;

    @Option(names = "--beta", description = "HCL's hardness β (default 1.0).")
    Double beta;

    @Option(names = "--estimator", description = "HCL's estimator: hard (default) or easy.")
    String estimator;

    @Option(names = "--lambda", description = "Barlow Twins' off-diagonal weight (0.0051).")
    Double lambda;

    @Option(names = "--sim-coeff", description = "VICReg invariance weight (25).")
    Double simCoeff;

    @Option(names = "--std-coeff", description = "VICReg variance weight (25).")
    Double stdCoeff;

    @Option(names = "--cov-coeff", description = "VICReg covariance weight (1).")
    Double covCoeff;

    @Option(names = "--queue-size", description = "MoCo's queue of negatives (4096).")
    Integer queueSize;

    @Option(names = "--moco-momentum", description = "MoCo's key-encoder momentum (0.99).")
    Double mocoMomentum;

    @Option(names = "--encoder", description = "small-cnn (default) or resnet18.")
    String encoder;

    @Option(names = "--width", description = "Small CNN's first-layer channels (32).")
    Integer width;

    @Option(names = "--pool-grid", description = "Small CNN's output pooling grid side: 4·width·g²"
            + " features (2; 1 = global average pooling).")
    Integer poolGrid;

    @Option(names = "--projection-dim", description = "Projection head output size.")
    Integer projectionDim;

    @Option(names = "--crop-min-scale", description = "Smallest random crop, area fraction (0.4).")
    Double cropMinScale;

    @Option(names = "--seed", description = "Seed of every random choice (42).")
    Long seed;

    @Option(names = "--data", description = "A directory with the four IDX files (MNIST format),"
            + " or an image folder (train/<class>/*.png|jpg, test/<class>/...; greyscale,"
            + " resized to 28×28), instead of the embedded Fashion-MNIST.")
    String data;

    @Option(names = "--limit", description = "Use only the first N images of each split.")
    Integer limit;

    @Option(names = "--probe-epochs", description = "Linear-probe epochs (20).")
    Integer probeEpochs;

    @Option(names = "--augment-threads", description = "Background augmentation threads (1).")
    Integer augmentThreads;

    @Option(names = "--threads", description = "PyTorch compute threads (default: the engine's;"
            + " 1 makes a run, and its resumption, repeat bit for bit).")
    Integer threads;

    @Option(names = "--runs-dir", description = "Where run directories go (default: runs).")
    Path runsDir = Path.of("runs");

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its checkpoint (--epochs may extend it).")
    Path resume;

    @Option(names = "--no-progress", description = "No progress bar (summary lines only).")
    boolean noProgress;

    @Option(names = "--no-baselines", description = "Skip the baselines in the evaluation.")
    boolean noBaselines;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        long start = System.nanoTime();
        TrainConfig config;
        Path dir;
        try {
            if (resume != null) {
                dir = resume;
                config = Checkpoint.config(dir);
                set(epochs, v -> config.epochs = v);
            } else {
                config = TrainConfig.defaults(method);
                applyOverrides(config);
                config.validate();
                dir = newRunDir(runsDir, config.method);
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        IdxDataset.Splits splits;
        try {
            splits = Datasets.load(config.data, config.limit);
        } catch (DataFormatError e) {
            System.err.println("selfsup4j train: " + e.getMessage());
            return 2;
        }
        try (TrainingRun run = new TrainingRun(config, dir, splits.train())) {
            if (resume != null) {
                run.restore();
                out.printf("resuming %s at epoch %d of %d%n", dir, run.epoch(), config.epochs);
            } else {
                Files.createDirectories(dir);
            }
            out.printf("SelfSup4J train: %s on %s (%d train / %d test images), %s%s,"
                            + " %d epochs of %d batches of %d, %s lr %.2g, seed %d, device %s%n",
                    config.method, config.data == null ? "Fashion-MNIST" : config.data,
                    splits.train().size(), splits.test().size(), config.encoder,
                    config.encoder.equals("small-cnn") ? " width " + config.width + ", "
                            + Encoders.featureDim(Encoders.Architecture.SMALL_CNN, config.width,
                                    config.poolGrid) + " features" : "",
                    config.epochs, run.stepsPerEpoch(), config.batchSize, config.optimizer,
                    config.lr, config.seed, run.manager().getDevice());
            out.printf("run directory: %s%n", dir);
            CountDownLatch saved = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                run.requestStop();
                try {
                    saved.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "selfsup4j-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            boolean finished;
            try {
                finished = run.train(!noProgress && System.console() != null, out);
            } finally {
                saved.countDown();
            }
            if (!finished) {
                return 130;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                return 130; // shutting down
            }
            out.println("evaluating (frozen encoder, train split as memory, test split as"
                    + " queries)...");
            Evaluation.Report report = Evaluation.run(run.method().encoder(), config,
                    splits.train(), splits.test(), !noBaselines, run.manager(), out);
            writeResults(dir, run, report, config, splits.test(),
                    (System.nanoTime() - start) / 1e9);
            out.printf("%nresult (%s, %d epochs): kNN top-1 k=20 %.4f, k=200 %.4f, linear probe"
                            + " %.4f%n", config.method, config.epochs, report.encoder().knnK20(),
                    report.encoder().knnK200(), report.encoder().linearProbe());
            if (report.rawPixels() != null) {
                out.printf("baselines: raw pixels kNN k=20 %.4f; random encoder kNN k=20 %.4f,"
                                + " linear probe %.4f%n", report.rawPixels().knnK20(),
                        report.randomEncoder().knnK20(), report.randomEncoder().linearProbe());
            }
            out.printf("images/s %.0f, wall %.0f s; wrote %s%n", run.imagesPerSecond(),
                    (System.nanoTime() - start) / 1e9, dir.resolve("metrics.json"));
            return 0;
        }
    }

    static void writeResults(Path dir, TrainingRun run, Evaluation.Report report,
            TrainConfig config, ImageDataset test, double wallSeconds) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", config.method);
        m.put("hyperparameters", config);
        m.put("seed", config.seed);
        m.put("epochs_completed", run.epoch());
        m.put("epoch_loss", run.epochLoss());
        m.putAll(report.toMap());
        m.put("images_per_second", run.imagesPerSecond());
        m.put("nonfinite_gradient_retries", run.nonFiniteRetries());
        m.put("train_seconds", run.trainSeconds());
        m.put("eval_seconds", report.seconds());
        m.put("wall_seconds", wallSeconds);
        m.put("rss_bytes_per_epoch", run.rssPerEpoch());
        m.put("device", run.manager().getDevice().toString());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("metrics.json").toFile(), m);
        Plots.loss(dir.resolve("loss.png"), config.method + " loss", run.stepLoss(),
                run.stepsPerEpoch(), run.epochLoss());
        Plots.embedding(dir.resolve("embedding.png"), config.method
                        + " test embeddings (PCA of encoder features)", report.testFeatures(),
                test.labels(), test.classes(), 4000);
    }

    private void applyOverrides(TrainConfig c) {
        set(epochs, v -> c.epochs = v);
        set(batchSize, v -> c.batchSize = v);
        set(lr, v -> c.lr = v);
        set(optimizer, v -> c.optimizer = v);
        set(weightDecay, v -> c.weightDecay = v);
        set(warmupEpochs, v -> c.warmupEpochs = v);
        set(temperature, v -> c.temperature = v);
        set(pairsPerSample, v -> c.pairsPerSample = v);
        set(tauPlus, v -> c.tauPlus = v);
        set(beta, v -> c.beta = v);
        set(estimator, v -> c.estimator = v);
        set(lambda, v -> c.lambda = v);
        set(simCoeff, v -> c.simCoeff = v);
        set(stdCoeff, v -> c.stdCoeff = v);
        set(covCoeff, v -> c.covCoeff = v);
        set(queueSize, v -> c.queueSize = v);
        set(mocoMomentum, v -> c.mocoMomentum = v);
        set(encoder, v -> c.encoder = v);
        set(width, v -> c.width = v);
        set(poolGrid, v -> c.poolGrid = v);
        set(projectionDim, v -> c.projectionDim = v);
        set(cropMinScale, v -> c.cropMinScale = v);
        set(seed, v -> c.seed = v);
        set(data, v -> c.data = Path.of(v).toAbsolutePath().toString());
        set(limit, v -> c.limit = v);
        set(probeEpochs, v -> c.probeEpochs = v);
        set(augmentThreads, v -> c.augmentThreads = v);
        set(threads, v -> c.threads = v);
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    static Path newRunDir(Path runsDir, String method) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = runsDir.resolve(stamp + "-" + method);
        for (int i = 2; Files.exists(dir); i++) {
            dir = runsDir.resolve(stamp + "-" + method + "-" + i);
        }
        Files.createDirectories(runsDir);
        return dir;
    }
}
