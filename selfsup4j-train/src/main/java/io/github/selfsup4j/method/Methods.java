package io.github.selfsup4j.method;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.loss.contrastive.HclLoss;
import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import io.github.selfsup4j.loss.redundancy.BarlowTwinsLoss;
import io.github.selfsup4j.loss.redundancy.VicRegLoss;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.train.TrainConfig;

/** Builds a method from a configuration, with the library's losses. */
public final class Methods {

    private Methods() {}

    /**
     * Builds and initialises the method.
     *
     * @param c the configuration
     * @param manager where parameters live
     * @param height image height
     * @param width image width
     * @return the method
     */
    public static Method create(TrainConfig c, NDManager manager, int height, int width) {
        Encoders.Architecture arch = Encoders.Architecture.parse(c.encoder);
        Shape input = new Shape((long) c.batchSize * c.pairsPerSample, 1, height, width);
        Block encoder = Encoders.encoder(arch, c.width, c.poolGrid);
        Block head = Encoders.projectionHead(c.projectionHidden, c.projectionDim,
                c.projectionLayers);
        if (c.method.equals("moco")) {
            return new Moco(encoder, head, Encoders.encoder(arch, c.width, c.poolGrid),
                    Encoders.projectionHead(c.projectionHidden, c.projectionDim,
                            c.projectionLayers),
                    c.temperature, c.queueSize, c.projectionDim, c.mocoMomentum, c.mocoSplits,
                    c.seed, manager, input);
        }
        return new TwoViewMethod(c.method, encoder, head, loss(c), manager, input);
    }

    /** The library loss of a two-view method. */
    static SelfSupLoss loss(TrainConfig c) {
        switch (c.method) {
            case "simclr":
                return NtXentLoss.builder().optTemperature(c.temperature)
                        .optPairsPerSample(c.pairsPerSample).build();
            case "hcl":
                return HclLoss.builder().optTemperature(c.temperature).optTauPlus(c.tauPlus)
                        .optBeta(c.beta).optEstimator(HclLoss.Estimator.parse(c.estimator))
                        .build();
            case "barlow-twins":
                return BarlowTwinsLoss.builder().optLambda(c.lambda).build();
            case "vicreg":
                return VicRegLoss.builder().optSimCoeff(c.simCoeff).optStdCoeff(c.stdCoeff)
                        .optCovCoeff(c.covCoeff).build();
            default:
                throw new IllegalArgumentException("unknown method " + c.method);
        }
    }
}
