package io.github.selfsup4j.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Where a run is: epochs planned and done, the next batch, the global step, and the time and
 * images of the training steps so far. The engine updates it; listeners read it.
 */
public final class TrainingState implements Stateful {

    private int epochs;
    private final int batchesPerEpoch;
    private int epoch;
    private int nextBatch;
    private long step;
    private double trainSeconds;
    private long images;
    private double learningRate;

    /**
     * A run at its start.
     *
     * @param epochs the epochs planned
     * @param batchesPerEpoch steps per epoch
     */
    public TrainingState(int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
    }

    /** The epochs planned. */
    public int epochs() {
        return epochs;
    }

    /** Changes the epochs planned (a resumed run may extend). */
    public void setEpochs(int epochs) {
        this.epochs = epochs;
    }

    /** Steps per epoch. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Completed epochs (the current epoch, 0-based, while training). */
    public int epoch() {
        return epoch;
    }

    /** The next batch of the current epoch. */
    public int nextBatch() {
        return nextBatch;
    }

    /** Completed steps. */
    public long step() {
        return step;
    }

    /** Steps of the whole run. */
    public long totalSteps() {
        return (long) epochs * batchesPerEpoch;
    }

    /** Whether every planned epoch is done. */
    public boolean finished() {
        return epoch >= epochs;
    }

    /** Seconds spent in training steps. */
    public double trainSeconds() {
        return trainSeconds;
    }

    /** Images consumed by training steps on this rank. */
    public long images() {
        return images;
    }

    /** Training throughput of this rank, images per second of step time. */
    public double imagesPerSecond() {
        return trainSeconds > 0 ? images / trainSeconds : 0;
    }

    /** The main optimiser's learning rate at the last step. */
    public double learningRate() {
        return learningRate;
    }

    void stepDone(int batch, int stepImages, double seconds, double lr) {
        nextBatch = batch + 1;
        step++;
        images += stepImages;
        trainSeconds += seconds;
        learningRate = lr;
    }

    void epochDone() {
        epoch++;
        nextBatch = 0;
    }

    @Override
    public String stateName() {
        return "progress";
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(epoch);
        out.writeInt(nextBatch);
        out.writeLong(step);
        out.writeDouble(trainSeconds);
        out.writeLong(images);
        out.writeDouble(learningRate);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        epoch = in.readInt();
        nextBatch = in.readInt();
        step = in.readLong();
        trainSeconds = in.readDouble();
        images = in.readLong();
        learningRate = in.readDouble();
    }
}
