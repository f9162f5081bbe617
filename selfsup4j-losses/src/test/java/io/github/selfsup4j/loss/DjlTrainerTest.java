package io.github.selfsup4j.loss;

import io.github.selfsup4j.loss.registry.LossRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.selfsup4j.loss.classic.MseLoss;
import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The losses inside DJL's own Trainer, and the DJL losses we do not build on. */
class DjlTrainerTest {

    @Test
    void ntXentTrainsATwoViewModelInDjlsTrainer() {
        // Two views of 16 points through one shared linear map; the loss must fall.
        Linear shared = Linear.builder().setUnits(4).build();
        SequentialBlock view = new SequentialBlock().add(shared);
        ParallelBlock twoViews = new ParallelBlock(
                outs -> new NDList(outs.get(0).singletonOrThrow(), outs.get(1).singletonOrThrow()),
                List.of(new SequentialBlock().add(x -> new NDList(x.get(0))).add(view),
                        new SequentialBlock().add(x -> new NDList(x.get(1))).add(view)));
        try (Model model = Model.newInstance("two-view")) {
            model.setBlock(twoViews);
            DefaultTrainingConfig config = new DefaultTrainingConfig(
                    NtXentLoss.builder().optTemperature(0.5).build())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                NDManager m = trainer.getManager();
                Engine.getInstance().setRandomSeed(1);
                NDArray base = m.randomNormal(new Shape(16, 8));
                NDArray a = base.add(m.randomNormal(0, 0.1f, new Shape(16, 8),
                        ai.djl.ndarray.types.DataType.FLOAT32));
                NDArray b = base.add(m.randomNormal(0, 0.1f, new Shape(16, 8),
                        ai.djl.ndarray.types.DataType.FLOAT32));
                trainer.initialize(new Shape(16, 8), new Shape(16, 8));
                float first = 0;
                float last = 0;
                for (int step = 0; step < 30; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList preds = trainer.forward(new NDList(a, b));
                        NDArray l = trainer.getLoss().evaluate(new NDList(), preds);
                        gc.backward(l);
                        if (step == 0) {
                            first = l.getFloat();
                        }
                        last = l.getFloat();
                    }
                    trainer.step();
                }
                assertTrue(last < first - 0.1, "loss fell from " + first + " to " + last);
            }
        }
    }

    @Test
    void djlsL2LossIsHalfTheMseAndOursIsTheMse() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2});
            NDArray t = m.create(new float[] {0, 0});
            float djl = new L2Loss().evaluate(new NDList(t), new NDList(x)).getFloat();
            float ours = new MseLoss().evaluate(new NDList(t), new NDList(x)).getFloat();
            assertEquals(2.5f, ours, 1e-6f);
            assertEquals(1.25f, djl, 1e-6f, "DJL's L2Loss is half the MSE");
        }
    }

    @Test
    void djlsSigmoidBceFromSigmoidHasTheWrongSign() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0.9f});
            NDArray y = m.create(new float[] {1f});
            Loss djl = new SigmoidBinaryCrossEntropyLoss("bce", 1f, true);
            float v = djl.evaluate(new NDList(y), new NDList(p)).getFloat();
            float correct = (float) -Math.log(0.9);
            // documented DJL behaviour we do not build on: the value is -BCE
            assertEquals(-correct, v, 1e-5f);
            float ours = LossRegistry.create("gan-bce", java.util.Map.of("from_logits", false,
                    "role", "generator")).apply(p).getFloat();
            assertEquals(correct, ours, 1e-6f);
        }
    }
}
