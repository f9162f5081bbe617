package io.github.selfsup4j.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;

/**
 * Every hyperparameter of a training run. It is written to {@code metrics.json} and into the
 * checkpoint, so a run can be resumed and re-evaluated exactly. {@link #defaults(String)} gives
 * each method's defaults, following its paper and scaled to Fashion-MNIST on 2 CPU cores.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class TrainConfig {

    /** The methods of {@code --method}. */
    public static final List<String> METHODS =
            List.of("simclr", "moco", "hcl", "barlow-twins", "vicreg");

    public String method = "simclr";
    public String data;
    public int limit;
    public long seed = 42;

    public int epochs = 12;
    public int batchSize = 256;
    public String optimizer = "adam";
    public double lr = 2e-3;
    public double weightDecay = 1e-6;
    public double momentum = 0.9;
    public double larsTrust = 0.001;
    public double warmupEpochs = 0.5;

    public String encoder = "small-cnn";
    public int width = 32;
    /** The small CNN's output pooling grid side: 4·width·g² features (1: global pooling). */
    public int poolGrid = 2;
    public int projectionHidden = 512;
    public int projectionDim = 128;
    public int projectionLayers = 2;

    public double temperature = 0.5;
    public int pairsPerSample = 1;
    public double tauPlus = 0.1;
    public double beta = 1.0;
    public String estimator = "hard";
    public double lambda = 0.0051;
    public double simCoeff = 25;
    public double stdCoeff = 25;
    public double covCoeff = 1;
    public int queueSize = 4096;
    public double mocoMomentum = 0.99;
    public int mocoSplits = 4;

    public double cropMinScale = 0.4;
    public double flipProbability = 0.5;
    public double jitterProbability = 0.8;
    public double brightness = 0.4;
    public double contrast = 0.4;
    public double noiseStd = 0.0;

    public int augmentThreads = 1;
    /** PyTorch intra-op threads; 0 keeps the engine's default. 1 makes runs bitwise repeatable. */
    public int threads;
    public int probeEpochs = 20;
    public int evalBatch = 1000;

    /** The defaults of a method. */
    public static TrainConfig defaults(String method) {
        String m = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw new IllegalArgumentException("--method must be one of " + METHODS + ", got \""
                    + method + "\"");
        }
        TrainConfig c = new TrainConfig();
        c.method = m;
        switch (m) {
            case "moco":
                // MoCo v2: τ 0.2, momentum 0.99 and a 4096-key queue (its CIFAR settings)
                c.temperature = 0.2;
                break;
            case "hcl":
                // HCL's paper: τ 0.5, τ⁺ 0.1, β 1.0 on the SimCLR pipeline
                c.temperature = 0.5;
                break;
            case "barlow-twins":
            case "vicreg":
                // 3-layer projectors, wider output, as both papers (scaled from 8192 to 512)
                c.projectionLayers = 3;
                c.projectionDim = 512;
                break;
            default:
                break;
        }
        return c;
    }

    /** Checks the values that have limits. */
    public void validate() {
        require(epochs >= 1, "--epochs must be >= 1, got " + epochs);
        require(batchSize >= 2, "--batch-size must be >= 2, got " + batchSize);
        require(lr > 0 && Double.isFinite(lr), "--lr must be > 0, got " + lr);
        require(pairsPerSample >= 1, "--pairs-per-sample must be >= 1, got " + pairsPerSample);
        require(width >= 1, "--width must be >= 1, got " + width);
        require(poolGrid == 1 || poolGrid == 2 || poolGrid == 4,
                "--pool-grid must be 1, 2 or 4 (it divides the 4×4 map), got " + poolGrid);
        require(List.of("adam", "lars", "sgd").contains(optimizer),
                "--optimizer must be adam, lars or sgd, got " + optimizer);
        require(limit >= 0, "--limit must be >= 0, got " + limit);
        require(pairsPerSample == 1 || method.equals("simclr"),
                "--pairs-per-sample > 1 needs --method simclr (nt-xent excludes a sample's other"
                        + " views from its negatives; the other losses would not)");
        require(augmentThreads >= 1, "--augment-threads must be >= 1, got " + augmentThreads);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
