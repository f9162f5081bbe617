package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.distributed.Gatherable;
import io.github.selfsup4j.distributed.GatheredLoss;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.SelfSupLoss;
import java.util.List;
import java.util.Map;

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
        NDArray[] z = embed(ps, views);
        return loss.apply(z[0], z[1]);
    }

    /**
     * Across processes a {@link Gatherable} loss is computed over the global batch: every rank
     * gets the exact gradient of the global loss for its own rows (two backward passes). A rank's
     * rows are a consecutive slice of the global batch (samplers and views are rank-aware), so
     * the gathered batch is, row for row, the batch of one process with all ranks' images.
     */
    @Override
    protected StepLoss stepLoss(ParameterStore ps, List<NDArray> views, StepContext ctx) {
        Collective c = ctx.collective();
        if (c.worldSize() == 1 || !(loss instanceof Gatherable)) {
            return super.stepLoss(ps, views, ctx);
        }
        NDArray[] z = embed(ps, views);
        List<InputSpec> in = loss.inputs();
        return StepLoss.gathered(GatheredLoss.forward((Gatherable) loss, c,
                Map.of(in.get(0).name(), z[0], in.get(1).name(), z[1])));
    }

    /** Both views through the network as one batch: the two views' embeddings. */
    private NDArray[] embed(ParameterStore ps, List<NDArray> views) {
        long n = views.get(0).getShape().get(0);
        NDArray both = NDArrays.concat(new NDList(views.get(0), views.get(1)), 0);
        NDArray z = network.forward(ps, new NDList(both), true).singletonOrThrow();
        return new NDArray[] {z.get("0:" + n), z.get(n + ":")};
    }
}
