package io.github.selfsup4j.model.syncbn;

import ai.djl.MalformedModelException;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * BatchNorm over the channel axis whose training statistics are those of the global batch when
 * a {@link BatchNormSync} session of several processes is open (SyncBatchNorm), and DJL's native
 * BatchNorm otherwise (one process, evaluation): then the values are bit for bit those of {@link
 * ai.djl.nn.norm.BatchNorm}.
 *
 * <p>Named {@code BatchNorm} on purpose: DJL's {@code SequentialBlock} names children after the
 * class's simple name, and parameter names key the optimiser state in checkpoints, so networks
 * built with this block keep the parameter names, the parameters and the checkpoint encoding
 * (version 2, input shapes, channel count) of DJL's BatchNorm: old checkpoints load.
 * Defaults as DJL's: ε 1e-5, momentum 0.9 (running = 0.9 · running + 0.1 · batch; the running
 * variance is the unbiased one, as PyTorch's).
 */
public final class BatchNorm extends AbstractBlock {

    private static final byte VERSION = 2;
    static final float EPSILON = 1e-5f;
    static final float MOMENTUM = 0.9f;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long inChannels;

    /** A BatchNorm over axis 1 (channels of N×C×H×W, features of N×F). */
    public BatchNorm() {
        super(VERSION);
        gamma = addParameter(Parameter.builder().setName("gamma")
                .setType(Parameter.Type.GAMMA).optRequiresGrad(true).build());
        beta = addParameter(Parameter.builder().setName("beta")
                .setType(Parameter.Type.BETA).optRequiresGrad(true).build());
        runningMean = addParameter(Parameter.builder().setName("runningMean")
                .setType(Parameter.Type.RUNNING_MEAN).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("runningVar")
                .setType(Parameter.Type.RUNNING_VAR).optRequiresGrad(false).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        NDArray g = ps.getValue(gamma, device, training);
        NDArray b = ps.getValue(beta, device, training);
        NDArray rm = ps.getValue(runningMean, device, training);
        NDArray rv = ps.getValue(runningVar, device, training);
        BatchNormSync sync = BatchNormSync.current();
        if (!training || sync == null || !sync.active()) {
            return ai.djl.nn.norm.BatchNorm.batchNorm(x, rm, rv, g, b, 1, MOMENTUM, EPSILON,
                    training);
        }
        return new NDList(sync.forward(x, g, b, rm, rv));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        inChannels = inputShapes[0].get(1);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        gamma.setShape(new Shape(inChannels));
        beta.setShape(new Shape(inChannels));
        runningMean.setShape(new Shape(inChannels));
        runningVar.setShape(new Shape(inChannels));
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeLong(inChannels);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion == VERSION) {
            readInputShapes(is);
        } else if (loadVersion != 1) {
            throw new MalformedModelException("Unsupported encoding version: " + loadVersion);
        }
        inChannels = is.readLong();
    }

    /** The float32 channel vector of {@code values} on {@code like}'s manager. */
    static NDArray vector(NDArray like, double[] values, int from, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) values[from + i];
        }
        return like.getManager().create(f).toType(DataType.FLOAT32, false);
    }
}
