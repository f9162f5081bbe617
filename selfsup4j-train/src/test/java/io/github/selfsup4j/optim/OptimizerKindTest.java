package io.github.selfsup4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Each optimiser's default learning rate moves the weights. */
class OptimizerKindTest {

    /** ‖Δw‖/‖w‖ after 20 steps with a fixed gradient at the optimiser's default rate. */
    static double relativeChange(OptimizerKind kind, int batch) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            NDArray w = m.randomNormal(0, 0.1f, new Shape(64, 32), ai.djl.ndarray.types.DataType
                    .FLOAT32);
            NDArray start = w.duplicate();
            NDArray g = m.randomNormal(0, 1e-3f, new Shape(64, 32), ai.djl.ndarray.types.DataType
                    .FLOAT32);
            Schedule constant = new Schedule(kind.defaultLr(batch), 0, 20, 1.0);
            StatefulOptimizer opt = kind.create(m, constant, 0.9, 0.0, 0.001);
            for (int i = 0; i < 20; i++) {
                opt.update("w", w, g.duplicate());
                opt.endStep();
            }
            double change = w.sub(start).norm().getFloat() / start.norm().getFloat();
            opt.close();
            return change;
        }
    }

    @Test
    void larsAtItsDefaultRateMovesTheWeightsAsAdamDoes() {
        // Regression: LARS used Adam's 2e-3 with trust 0.001, a relative step of 2e-6 a layer:
        // after 20 steps the weights had moved by 0.02 % of their norm, Adam's by tens of %.
        double adam = relativeChange(OptimizerKind.ADAM, 256);
        double lars = relativeChange(OptimizerKind.LARS, 256);
        System.out.printf("relative change after 20 steps: adam %.4f, lars %.4f%n", adam, lars);
        assertTrue(lars > 0.1 * adam, "lars " + lars + " vs adam " + adam);
        assertTrue(relativeChange(OptimizerKind.SGD, 256) > 0, "sgd moves");
    }

    @Test
    void defaultsScaleWithTheGlobalBatchAndNamesRoundTrip() {
        assertEquals(2e-3, OptimizerKind.ADAM.defaultLr(1024), 0);
        assertEquals(4 * OptimizerKind.LARS.defaultLr(256), OptimizerKind.LARS.defaultLr(1024),
                1e-12);
        for (OptimizerKind k : OptimizerKind.values()) {
            assertEquals(k, OptimizerKind.parse(k.cliName().toUpperCase()));
        }
    }
}
