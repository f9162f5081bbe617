package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.loss.SelfSupLoss;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Methods that pass both views through one network (encoder, then projection head) and apply a
 * two-view loss from the library: SimCLR ({@code nt-xent}), HCL ({@code hcl}), Barlow Twins and
 * VICReg. Both views go through the network as one batch, so BatchNorm sees all 2·N·P views.
 */
public final class TwoViewMethod implements Method {

    private final String name;
    private final Block encoder;
    private final SequentialBlock network;
    private final SelfSupLoss loss;

    /**
     * Creates the method and initialises its network.
     *
     * @param name the CLI name
     * @param encoder the encoder
     * @param head the projection head
     * @param loss the library loss applied to the two views' embeddings
     * @param manager where the parameters live
     * @param input the shape of one batch of one view
     */
    public TwoViewMethod(String name, Block encoder, Block head, SelfSupLoss loss,
            NDManager manager, Shape input) {
        this.name = name;
        this.encoder = encoder;
        this.network = new SequentialBlock().add(encoder).add(head);
        this.loss = loss;
        network.initialize(manager, DataType.FLOAT32, input);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Block encoder() {
        return encoder;
    }

    /** The loss applied to the embeddings. */
    public SelfSupLoss lossFunction() {
        return loss;
    }

    @Override
    public Map<String, Parameter> trainableParameters() {
        return Networks.trainable(network);
    }

    @Override
    public NDArray loss(ParameterStore ps, NDArray viewA, NDArray viewB) {
        long n = viewA.getShape().get(0);
        NDArray both = NDArrays.concat(new NDList(viewA, viewB), 0);
        NDArray z = network.forward(ps, new NDList(both), true).singletonOrThrow();
        return loss.apply(z.get("0:" + n), z.get(n + ":"));
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        network.saveParameters(out);
    }

    @Override
    public void load(NDManager manager, DataInputStream in) throws IOException {
        Networks.load(network, manager, in);
    }
}
