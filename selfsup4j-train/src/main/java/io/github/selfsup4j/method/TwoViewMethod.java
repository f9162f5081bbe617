package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.loss.SelfSupLoss;
import java.util.List;

/**
 * Methods that pass both views through one network (encoder, then projection head) and apply a
 * two-view loss from the library: SimCLR, HCL, Barlow Twins, VICReg. Both views go through the
 * network as one batch, so BatchNorm sees all 2·N·P views.
 */
public class TwoViewMethod extends SslMethod {

    private final Block encoder;
    private final SequentialBlock network;
    private final SelfSupLoss loss;

    /**
     * Creates the method and initialises its network.
     *
     * @param setup options, images, normalisation, rank
     * @param loss the library loss applied to the two views' embeddings
     * @param pairs view pairs per image
     */
    protected TwoViewMethod(SslSetup setup, SelfSupLoss loss, int pairs) {
        super(setup, twoViews(setup, pairs));
        this.encoder = newEncoder(setup.options());
        this.network = new SequentialBlock().add(encoder).add(newProjectionHead(setup.options()));
        this.loss = loss;
        initialize(network);
    }

    @Override
    public String name() {
        return loss.getName();
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
    protected NDArray loss(ParameterStore ps, List<NDArray> views, StepContext ctx) {
        long n = views.get(0).getShape().get(0);
        NDArray both = NDArrays.concat(new NDList(views.get(0), views.get(1)), 0);
        NDArray z = network.forward(ps, new NDList(both), true).singletonOrThrow();
        return loss.apply(z.get("0:" + n), z.get(n + ":"));
    }
}
