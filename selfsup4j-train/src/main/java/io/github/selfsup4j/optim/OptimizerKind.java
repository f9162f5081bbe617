package io.github.selfsup4j.optim;

import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * The optimisers a job can use, each with its own default peak learning rate (a LARS rate is not
 * an Adam rate: LARS scales each layer's step by {@code trust · |w| / |g|}).
 */
public enum OptimizerKind {
    /** AdamW: peak lr 2e-3 (measured on Fashion-MNIST, batch 256). */
    ADAM,
    /**
     * LARS with trust 0.001: lr = 4.8 · batch / 256. Chosen on the validation split (5,000
     * held-out images, SimCLR, 1 epoch, seeds 42–44) among 0.3 (SimCLR's linear rule at batch
     * 256), 1.2 (its square-root rule) and 4.8 per 256: kNN@20 0.842 / 0.841 / 0.846 and linear
     * probe 0.864 / 0.877 / 0.881 (means); the former default 2e-3 gave a probe of 0.829 (seed
     * 42): it barely trained.
     */
    LARS,
    /** SGD with momentum 0.9: lightly's benchmarks' rule lr = 0.06 · batch / 128 (not tuned here). */
    SGD;

    /** The CLI name (also its JSON form). */
    @com.fasterxml.jackson.annotation.JsonValue
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a CLI name (adam, lars, sgd), case-insensitively. */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) {
            if (k.cliName().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("optimizer must be adam, lars or sgd, got \"" + s
                + "\"");
    }

    /** The default peak learning rate for a batch size (per process × processes). */
    public double defaultLr(int globalBatch) {
        switch (this) {
            case LARS:
                return LARS_LR_PER_256 * globalBatch / 256.0;
            case SGD:
                return 0.06 * globalBatch / 128.0;
            default:
                return 2e-3;
        }
    }

    /** LARS's peak rate per 256 images (with trust coefficient 0.001). */
    public static final double LARS_LR_PER_256 = 4.8;

    /**
     * Creates the optimiser.
     *
     * @param manager where its state lives
     * @param schedule the learning-rate schedule
     * @param momentum momentum (LARS, SGD)
     * @param weightDecay weight decay (decoupled for Adam)
     * @param trust LARS's trust coefficient
     * @return the optimiser
     */
    public StatefulOptimizer create(NDManager manager, Schedule schedule, double momentum,
            double weightDecay, double trust) {
        switch (this) {
            case LARS:
                return new Lars(manager, schedule, momentum, weightDecay, trust);
            case SGD:
                return new Sgd(manager, schedule, momentum, weightDecay);
            default:
                return new Adam(manager, schedule, weightDecay);
        }
    }
}
