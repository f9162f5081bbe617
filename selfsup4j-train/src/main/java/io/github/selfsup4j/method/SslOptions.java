package io.github.selfsup4j.method;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.optim.OptimizerKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The options every self-supervised method shares, each declared once with its description,
 * default and check (those of every run, the seed, data, limit and threads, in {@link
 * RunOptions}). A picocli mixin of {@code train} and the JSON of the run's configuration
 * (checkpoint, {@code metrics.json}). Methods change a default of this class in their {@link
 * MethodSpec} (e.g. Barlow Twins' wider projector), never by a second declaration.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class SslOptions extends RunOptions {

    @Option(names = "--epochs", description = "Training epochs (default ${DEFAULT-VALUE}).")
    public int epochs = 12;

    @Option(names = "--batch-size", description = "Images per batch and process"
            + " (default ${DEFAULT-VALUE}).")
    public int batchSize = 256;

    @Option(names = "--optimizer", converter = OptimizerConverter.class,
            description = "adam (default), lars or sgd.")
    public OptimizerKind optimizer = OptimizerKind.ADAM;

    @Option(names = "--lr", description = "Peak learning rate (default per optimiser: "
            + "adam 2e-3, lars " + OptimizerKind.LARS_LR_PER_256 + "·batch/256, sgd 0.06·batch/128;"
            + " batch = the global batch).")
    public Double lr;

    @Option(names = "--weight-decay", description = "Weight decay, not on biases and"
            + " BatchNorm (default ${DEFAULT-VALUE}).")
    public double weightDecay = 1e-6;

    @Option(names = "--momentum", description = "Momentum of lars and sgd"
            + " (default ${DEFAULT-VALUE}).")
    public double momentum = 0.9;

    @Option(names = "--lars-trust", description = "LARS trust coefficient η"
            + " (default ${DEFAULT-VALUE}).")
    public double larsTrust = 0.001;

    @Option(names = "--warmup-epochs", description = "Linear warm-up, in epochs"
            + " (default ${DEFAULT-VALUE}).")
    public double warmupEpochs = 0.5;

    @Option(names = "--encoder", converter = ArchitectureConverter.class,
            description = "small-cnn (default) or resnet18.")
    public Encoders.Architecture encoder = Encoders.Architecture.SMALL_CNN;

    @Option(names = "--width", description = "Small CNN's first-layer channels (default"
            + " ${DEFAULT-VALUE}; at least 16).")
    public int width = 32;

    @Option(names = "--pool-grid", description = "Small CNN's output pooling grid side: 4·width·g²"
            + " features (default ${DEFAULT-VALUE}; 1 = global average pooling; 1, 2 or 4).")
    public int poolGrid = 2;

    @Option(names = "--norm", converter = NormConverter.class, description = "Normalisation"
            + " layers: batch (default; across processes synchronised over the global batch,"
            + " so N processes × B train as one process × N·B), rank-batch (each process's own"
            + " rows; cheaper) or layer (per image).")
    public Encoders.Norm norm = Encoders.Norm.BATCH;

    @Option(names = "--projection-hidden", description = "Projection head hidden size"
            + " (default ${DEFAULT-VALUE}).")
    public int projectionHidden = 512;

    @Option(names = "--projection-dim", description = "Projection head output size"
            + " (default ${DEFAULT-VALUE}).")
    public int projectionDim = 128;

    @Option(names = "--projection-layers", description = "Projection head layers, 2 or 3"
            + " (default ${DEFAULT-VALUE}).")
    public int projectionLayers = 2;

    @Option(names = "--crop-min-scale", description = "Smallest random crop, area fraction"
            + " (default ${DEFAULT-VALUE}).")
    public double cropMinScale = 0.4;

    @Option(names = "--flip-probability", description = "Horizontal flip probability"
            + " (default ${DEFAULT-VALUE}).")
    public double flipProbability = 0.5;

    @Option(names = "--jitter-probability", description = "Brightness/contrast jitter"
            + " probability (default ${DEFAULT-VALUE}).")
    public double jitterProbability = 0.8;

    @Option(names = "--brightness", description = "Brightness jitter ± (default"
            + " ${DEFAULT-VALUE}).")
    public double brightness = 0.4;

    @Option(names = "--contrast", description = "Contrast jitter ± (default ${DEFAULT-VALUE}).")
    public double contrast = 0.4;

    @Option(names = "--noise-std", description = "Additive Gaussian noise std (default"
            + " ${DEFAULT-VALUE}).")
    public double noiseStd = 0.0;

    @Option(names = "--validation", description = "Hold out N seeded training images and"
            + " evaluate on them instead of the test split: choose defaults this way (0 = off).")
    public int validation;

    @Option(names = "--probe-epochs", description = "Linear-probe epochs (default"
            + " ${DEFAULT-VALUE}).")
    public int probeEpochs = 20;

    @Option(names = "--eval-batch", description = "Images per forward pass in evaluation"
            + " (default ${DEFAULT-VALUE}).")
    public int evalBatch = 1000;

    @Option(names = "--augment-threads", description = "Background augmentation threads"
            + " (default ${DEFAULT-VALUE}).")
    public int augmentThreads = 1;

    /** The peak learning rate: the one given, else the optimiser's default for the batch. */
    public double lr() {
        return lr != null ? lr : optimizer.defaultLr(batchSize);
    }

    /**
     * The peak learning rate of a run on {@code world} processes: the one given, else the
     * optimiser's default for the global batch (world × batch size), so that N processes × B
     * take the steps of one process × N·B.
     */
    public double lr(int world) {
        return lr != null ? lr : optimizer.defaultLr(batchSize * world);
    }

    /** Checks every option; the message names the option and its value. */
    @Override
    public void validate() {
        Check.atLeast("--epochs", epochs, 1);
        Check.atLeast("--batch-size", batchSize, 2);
        if (lr != null) {
            Check.positive("--lr", lr);
        }
        Check.nonNegative("--weight-decay", weightDecay);
        Check.inRange("--momentum", momentum, 0, 1, false);
        Check.positive("--lars-trust", larsTrust);
        Check.nonNegative("--warmup-epochs", warmupEpochs);
        Check.atLeast("--width", width, 16);
        Check.require(poolGrid == 1 || poolGrid == 2 || poolGrid == 4, "--pool-grid", poolGrid,
                "must be 1, 2 or 4 (it divides the 4×4 map)");
        Check.atLeast("--projection-hidden", projectionHidden, 1);
        Check.atLeast("--projection-dim", projectionDim, 1);
        Check.require(projectionLayers == 2 || projectionLayers == 3, "--projection-layers",
                projectionLayers, "must be 2 or 3");
        Check.inRange("--crop-min-scale", cropMinScale, 0, 1, true);
        Check.require(cropMinScale > 0, "--crop-min-scale", cropMinScale, "must be > 0");
        Check.inRange("--flip-probability", flipProbability, 0, 1, true);
        Check.inRange("--jitter-probability", jitterProbability, 0, 1, true);
        Check.inRange("--brightness", brightness, 0, 1, true);
        Check.inRange("--contrast", contrast, 0, 1, true);
        Check.nonNegative("--noise-std", noiseStd);
        super.validate();
        Check.require(limit == 0 || limit >= 2 * batchSize, "--limit", limit,
                "must be 0 (all) or at least two batches (" + 2 * batchSize + " images)");
        Check.atLeast("--validation", validation, 0);
        Check.atLeast("--probe-epochs", probeEpochs, 1);
        Check.atLeast("--eval-batch", evalBatch, 1);
        Check.atLeast("--augment-threads", augmentThreads, 1);
    }

    /** Converts {@code --optimizer} values. */
    static final class OptimizerConverter implements ITypeConverter<OptimizerKind> {
        @Override
        public OptimizerKind convert(String value) {
            try {
                return OptimizerKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "must be adam, lars or sgd, got \"" + value + "\"");
            }
        }
    }

    /** Converts {@code --norm} values. */
    static final class NormConverter implements ITypeConverter<Encoders.Norm> {
        @Override
        public Encoders.Norm convert(String value) {
            try {
                return Encoders.Norm.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "must be batch, rank-batch or layer, got \"" + value + "\"");
            }
        }
    }

    /** Converts {@code --encoder} values. */
    static final class ArchitectureConverter implements ITypeConverter<Encoders.Architecture> {
        @Override
        public Encoders.Architecture convert(String value) {
            try {
                return Encoders.Architecture.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "must be small-cnn or resnet18, got \"" + value + "\"");
            }
        }
    }
}
