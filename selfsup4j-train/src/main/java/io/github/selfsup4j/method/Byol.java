package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.engine.StepContext;
import io.github.selfsup4j.model.Encoders;
import io.github.selfsup4j.model.MomentumNetwork;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * BYOL (Grill et al. 2020): an online network (encoder, projector, predictor) learns to predict
 * the projection that a momentum copy of its encoder and projector (the target) gives for the
 * other view. No negatives. Loss, symmetric over the views, with ℓ2-normalised vectors:
 *
 * <p>\( L = \frac{1}{N}\sum_n \left(2 - 2\cos(p_1^n, \bar z_2^n)\right) + \frac{1}{N}\sum_n
 * \left(2 - 2\cos(p_2^n, \bar z_1^n)\right) \)
 *
 * <p>where \(\bar z\) is the target's output (no gradient). The target's momentum follows the
 * paper's cosine schedule from {@code --byol-momentum} (0.99 here; 0.996 in the paper's
 * 1000-epoch runs) to 1 at the last step. Both views share the same augmentation (the paper's
 * asymmetric blur and solarisation have no counterpart in this project's greyscale augmenter).
 */
public final class Byol extends SslMethod {

    /** BYOL's options. */
    public static final class Options implements MethodOptions {
        @Option(names = "--byol-momentum", description = "Target momentum at the start, rising"
                + " to 1 along a cosine (default ${DEFAULT-VALUE}).")
        public double byolMomentum = 0.99;

        @Option(names = "--predictor-hidden", description = "Predictor hidden size (default"
                + " ${DEFAULT-VALUE}).")
        public int predictorHidden = 512;

        @Override
        public void validate() {
            Check.inRange("--byol-momentum", byolMomentum, 0, 1, true);
            Check.atLeast("--predictor-hidden", predictorHidden, 1);
        }
    }

    /** The registration. */
    public static final MethodSpec<Options> SPEC = new MethodSpec<>("byol",
            "BYOL: predict a momentum target's projection, no negatives", Options.class,
            Options::new, s -> {}, Byol::new);

    private final Block encoder;
    private final SequentialBlock online;
    private final Block predictor;
    private final MomentumNetwork target;
    private final double baseMomentum;

    private Byol(SslSetup setup, Options o) {
        super(setup, twoViews(setup, 1));
        SslOptions s = setup.options();
        this.encoder = newEncoder(s);
        this.online = new SequentialBlock().add(encoder).add(newProjectionHead(s));
        this.predictor = Encoders.projectionHead(o.predictorHidden, s.projectionDim, 2,
                s.norm);
        this.baseMomentum = o.byolMomentum;
        initialize(new SequentialBlock().add(online).add(predictor));
        this.target = new MomentumNetwork(online,
                new SequentialBlock().add(newEncoder(s)).add(newProjectionHead(s)), manager,
                new Shape(s.batchSize, 1, setup.train().height(), setup.train().width()));
    }

    @Override
    public String name() {
        return "byol";
    }

    @Override
    public Block encoder() {
        return encoder;
    }

    @Override
    protected NDArray loss(ParameterStore ps, List<NDArray> views, StepContext ctx) {
        long n = views.get(0).getShape().get(0);
        NDArray both = NDArrays.concat(new NDList(views.get(0), views.get(1)), 0);
        NDArray p = predictor.forward(ps, online.forward(ps, new NDList(both), true), true)
                .singletonOrThrow();
        NDArray t = target.target().forward(ps, new NDList(both), true).singletonOrThrow()
                .stopGradient();
        // each view's prediction against the other view's target
        NDArray swapped = NDArrays.concat(new NDList(t.get(n + ":"), t.get("0:" + n)), 0);
        NDArray cos = Ops.rowDot(Ops.l2Normalize(p), Ops.l2Normalize(swapped));
        // mean over 2N rows of (2 − 2cos), times 2 for the sum of the two directions' means
        return Ops.scalar(cos, 4.0).sub(Ops.scale(cos.mean(), 4.0));
    }

    @Override
    protected void afterUpdate(StepContext ctx) {
        target.update(MomentumNetwork.cosineMomentum(baseMomentum, ctx.progress()),
                ctx.manager());
    }

    @Override
    protected List<Block> otherNetworks() {
        return List.of(target.target());
    }

    @Override
    protected void afterLoad() {
        target.freezeTarget();
    }
}
