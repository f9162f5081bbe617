package io.github.selfsup4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.augment.Augmenter;
import io.github.selfsup4j.augment.ViewBatches;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.method.Method;
import io.github.selfsup4j.method.Methods;
import io.github.selfsup4j.optim.Adam;
import io.github.selfsup4j.optim.Lars;
import io.github.selfsup4j.optim.Schedule;
import io.github.selfsup4j.optim.Sgd;
import io.github.selfsup4j.optim.StatefulOptimizer;
import io.github.selfsup4j.report.Checkpoint;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One self-supervised training run: the method, its optimiser, the epochs over batches of views,
 * a checkpoint at the end of every epoch (and on a stop request), and the history that goes into
 * {@code metrics.json}. Every NDArray of a step lives in a sub-manager closed at the end of the
 * step, so native memory stays flat.
 */
public final class TrainingRun implements AutoCloseable {

    private final TrainConfig config;
    private final Path dir;
    private final ImageDataset train;
    private final NDManager manager;
    private final Method method;
    private final StatefulOptimizer optimizer;
    private final Augmenter augmenter;
    private final int stepsPerEpoch;

    private int epoch;
    private int nextBatch;
    private double trainSeconds;
    private long images;
    private final List<Float> stepLoss = new ArrayList<>();
    private final List<Double> epochLoss = new ArrayList<>();
    private final List<Long> rssPerEpoch = new ArrayList<>();
    private volatile boolean stopRequested;
    private int nonFiniteRetries;
    private int stopEpoch = -1;
    private int stopBatch = -1;

    /**
     * Creates a fresh run (or the skeleton of a resumed one, before {@link #restore}).
     *
     * @param config the configuration
     * @param dir the run directory
     * @param train the training images
     */
    public TrainingRun(TrainConfig config, Path dir, ImageDataset train) {
        config.validate();
        this.config = config;
        this.dir = dir;
        this.train = train;
        this.stepsPerEpoch = train.size() / config.batchSize;
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("--batch-size " + config.batchSize
                    + " is larger than the " + train.size() + " training images");
        }
        if (config.threads > 0) {
            setComputeThreads(config.threads);
        }
        Engine.getInstance().setRandomSeed((int) config.seed);
        this.manager = NDManager.newBaseManager();
        this.method = Methods.create(config, manager, train.height(), train.width());
        long total = (long) stepsPerEpoch * config.epochs;
        Schedule schedule = new Schedule(config.lr,
                Math.round(config.warmupEpochs * stepsPerEpoch), total, 0.0);
        switch (config.optimizer) {
            case "lars":
                this.optimizer = new Lars(manager, schedule, config.momentum, config.weightDecay,
                        config.larsTrust);
                break;
            case "sgd":
                this.optimizer = new Sgd(manager, schedule, config.momentum, config.weightDecay);
                break;
            default:
                this.optimizer = new Adam(manager, schedule, config.weightDecay);
        }
        this.augmenter = new Augmenter(new Augmenter.Config(config.cropMinScale, 1.0,
                config.flipProbability, config.jitterProbability, config.brightness,
                config.contrast, config.noiseStd, MEAN, STD));
    }

    /** Fashion-MNIST's pixel mean, used to normalise every input. */
    public static final float MEAN = 0.2860f;

    /** Fashion-MNIST's pixel standard deviation. */
    public static final float STD = 0.3530f;

    /** The configuration. */
    public TrainConfig config() {
        return config;
    }

    /** The method (its encoder is what gets evaluated). */
    public Method method() {
        return method;
    }

    /** The manager the networks live in. */
    public NDManager manager() {
        return manager;
    }

    /** Completed epochs. */
    public int epoch() {
        return epoch;
    }

    /** Whether every epoch has been trained. */
    public boolean finished() {
        return epoch >= config.epochs;
    }

    /** Mean loss of each completed epoch. */
    public List<Double> epochLoss() {
        return epochLoss;
    }

    /** Loss of every step so far. */
    public List<Float> stepLoss() {
        return stepLoss;
    }

    /** Resident memory at the end of each epoch, in bytes. */
    public List<Long> rssPerEpoch() {
        return rssPerEpoch;
    }

    /** Steps per epoch. */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Training throughput so far, images per second (each image = 2·P views). */
    public double imagesPerSecond() {
        return trainSeconds > 0 ? images / trainSeconds : 0;
    }

    /** Seconds spent in training steps. */
    public double trainSeconds() {
        return trainSeconds;
    }

    /** Asks the run to stop after the current step, saving a checkpoint. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Stops the run, with a checkpoint, when it reaches batch {@code batch} of epoch {@code
     * epoch} (0-based; batch 0 is the epoch boundary). For tests of interrupted runs.
     */
    public void requestStopAt(int epoch, int batch) {
        this.stopEpoch = epoch;
        this.stopBatch = batch;
    }

    private boolean stopHere() {
        return stopRequested || (epoch == stopEpoch && nextBatch == stopBatch);
    }

    /**
     * Trains until the last epoch or a stop request.
     *
     * @param progress whether to draw a progress bar on standard error
     * @param log where the per-epoch summary lines go
     * @return true if every epoch is done, false if stopped early (a checkpoint was saved)
     */
    public boolean train(boolean progress, PrintStream log) throws IOException {
        ParameterStore ps = new ParameterStore(manager, false);
        Map<String, Parameter> params = method.trainableParameters();
        Shape shape = new Shape((long) config.batchSize * config.pairsPerSample, 1,
                train.height(), train.width());
        while (epoch < config.epochs) {
            if (stopHere()) {
                save();
                log.printf("stopped at the start of epoch %d; checkpoint saved in %s%n",
                        epoch + 1, dir);
                return false;
            }
            double sum = 0;
            int count = 0;
            long start = System.nanoTime();
            try (ViewBatches batches = new ViewBatches(train, augmenter, config.batchSize,
                    config.pairsPerSample, config.seed, epoch, config.augmentThreads, 4,
                    nextBatch);
                    ProgressBar bar = progress ? bar(epoch) : null) {
                if (bar != null) {
                    bar.stepTo(nextBatch);
                }
                while (batches.hasNext()) {
                    ViewBatches.Batch batch = batches.next();
                    long t0 = System.nanoTime();
                    float loss = step(ps, params, shape, batch);
                    trainSeconds += (System.nanoTime() - t0) / 1e9;
                    images += batch.images();
                    stepLoss.add(loss);
                    sum += loss;
                    count++;
                    nextBatch = batch.index() + 1;
                    if (bar != null) {
                        bar.stepTo(nextBatch);
                        bar.setExtraMessage(String.format(" loss %.4f  lr %.2e  %.0f img/s",
                                loss, optimizer.learningRate(), imagesPerSecond()));
                    }
                    if (stopHere()) {
                        save();
                        log.printf("stopped at epoch %d, batch %d/%d; checkpoint saved in %s%n",
                                epoch + 1, nextBatch, stepsPerEpoch, dir);
                        return false;
                    }
                }
            }
            double mean = count > 0 ? sum / count : Double.NaN;
            epochLoss.add(mean);
            rssPerEpoch.add(rss());
            epoch++;
            nextBatch = 0;
            save();
            log.printf("epoch %d/%d  loss %.4f  lr %.2e  %.0f img/s  %.1f s  rss %.0f MB%n",
                    epoch, config.epochs, mean, optimizer.learningRate(), imagesPerSecond(),
                    (System.nanoTime() - start) / 1e9, rssPerEpoch.get(rssPerEpoch.size() - 1)
                            / 1e6);
        }
        return true;
    }

    private ProgressBar bar(int e) {
        return new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", e + 1, config.epochs))
                .setInitialMax(stepsPerEpoch)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUnit(" batches", 1)
                .showSpeed()
                .build();
    }

    private float step(ParameterStore ps, Map<String, Parameter> params, Shape shape,
            ViewBatches.Batch batch) {
        for (int attempt = 0; ; attempt++) {
            try (NDManager s = manager.newSubManager()) {
                NDArray a = s.create(batch.viewA(), shape);
                NDArray b = s.create(batch.viewB(), shape);
                float value;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = method.loss(ps, a, b);
                    gc.backward(loss);
                    value = loss.getFloat();
                }
                if (!Float.isFinite(value)) {
                    throw new IllegalStateException("the loss became " + value + " at epoch "
                            + (epoch + 1) + ", batch " + (batch.index() + 1)
                            + "; try a lower --lr");
                }
                if (!gradientsFinite(params)) {
                    // PyTorch 2.7.1's CPU convolution backward with 8 channels reads memory it
                    // did not write (NaN gradients when that memory held NaN; see the note in
                    // docs). Recompute the step once rather than let NaN reach the weights; a
                    // second failure is an error.
                    zeroGradients(params);
                    if (attempt == 0) {
                        nonFiniteRetries++;
                        continue;
                    }
                    throw new IllegalStateException("non-finite gradients twice at epoch "
                            + (epoch + 1) + ", batch " + (batch.index() + 1)
                            + " with a finite loss " + value);
                }
                for (Map.Entry<String, Parameter> e : params.entrySet()) {
                    NDArray w = e.getValue().getArray();
                    NDArray g = w.getGradient();
                    optimizer.update(e.getKey(), w, g);
                    g.subi(g);
                    g.close();
                }
                optimizer.endStep();
                method.afterStep(s);
                return value;
            }
        }
    }

    private static boolean gradientsFinite(Map<String, Parameter> params) {
        double total = 0;
        for (Parameter p : params.values()) {
            try (NDArray g = p.getArray().getGradient(); NDArray sum = g.sum()) {
                total += sum.getFloat();
            }
        }
        return Double.isFinite(total);
    }

    private static void zeroGradients(Map<String, Parameter> params) {
        for (Parameter p : params.values()) {
            try (NDArray g = p.getArray().getGradient()) {
                g.set(new ai.djl.ndarray.index.NDIndex(":"), 0); // NaN-safe, unlike g - g
            }
        }
    }

    /** Steps recomputed because their gradients were not finite. */
    public int nonFiniteRetries() {
        return nonFiniteRetries;
    }

    /** Writes the checkpoint. */
    public void save() throws IOException {
        Files.createDirectories(dir);
        Checkpoint.write(dir, config, out -> {
            out.writeInt(epoch);
            out.writeInt(nextBatch);
            out.writeDouble(trainSeconds);
            out.writeLong(images);
            writeFloats(out, stepLoss);
            out.writeInt(epochLoss.size());
            for (double d : epochLoss) {
                out.writeDouble(d);
            }
            out.writeInt(rssPerEpoch.size());
            for (long r : rssPerEpoch) {
                out.writeLong(r);
            }
            method.save(out);
            optimizer.save(out);
        });
    }

    /** Restores the state saved in {@code dir} (the run must have been built with its config). */
    public void restore() throws IOException {
        Checkpoint.read(dir, (c, in) -> read(in));
    }

    private void read(DataInputStream in) throws IOException {
        epoch = in.readInt();
        nextBatch = in.readInt();
        trainSeconds = in.readDouble();
        images = in.readLong();
        stepLoss.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            stepLoss.add(in.readFloat());
        }
        epochLoss.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            epochLoss.add(in.readDouble());
        }
        rssPerEpoch.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            rssPerEpoch.add(in.readLong());
        }
        method.load(manager, in);
        optimizer.load(in);
    }

    private static void writeFloats(DataOutputStream out, List<Float> v) throws IOException {
        out.writeInt(v.size());
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    /**
     * Sets the engine's intra-op threads. With more than one, PyTorch's CPU reductions may sum in
     * a different order from run to run, so runs agree only to float rounding; with one they
     * repeat bit for bit (a resumed run then ends with exactly the parameters of an
     * uninterrupted one).
     */
    public static void setComputeThreads(int threads) {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }

    /** The process's resident set size in bytes (Linux), or -1. */
    public static long rss() {
        return processStatus("VmRSS");
    }

    /** A memory field of /proc/self/status (VmRSS, VmHWM...) in bytes (Linux), or -1. */
    public static long processStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        method.close();
        optimizer.close();
        manager.close();
    }
}
