package io.github.selfsup4j.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.github.selfsup4j.distributed.Collective;
import io.github.selfsup4j.distributed.GatheredLoss;
import io.github.selfsup4j.model.syncbn.BatchNormSync;
import io.github.selfsup4j.numerics.Ops;

/**
 * The loss of one step as its backward pass needs it. With one process it is a scalar. Across
 * processes it is either a library loss gathered over the ranks ({@link GatheredLoss}: two
 * backward passes give each rank the exact gradient of the global-batch loss for its rows), or a
 * loss that is a mean over this rank's rows (BYOL, MoCo against its queue): back-propagated
 * divided by the world size, so that the gradients summed over the ranks are those of the mean
 * over the global batch.
 *
 * <p>In both cases {@link SslMethod} then sums the parameter gradients over the ranks.
 */
public abstract class StepLoss {

    private StepLoss() {}

    /** A scalar loss over this rank's rows (a mean over them when the world is larger than 1). */
    public static StepLoss local(NDArray loss) {
        return new StepLoss() {
            @Override
            void backward(GradientCollector gc, int world, boolean retain) {
                run(gc, world == 1 ? loss : Ops.scale(loss, 1.0 / world), retain);
            }

            @Override
            double value(Collective c) {
                double mine = loss.getFloat();
                if (c.worldSize() == 1) {
                    return mine;
                }
                // the mean over the global batch: the ranks' means, averaged (collective call)
                return c.allReduceSum(new double[] {mine / c.worldSize()})[0];
            }
        };
    }

    /** A loss gathered across the ranks. */
    public static StepLoss gathered(GatheredLoss g) {
        return new StepLoss() {
            @Override
            void backward(GradientCollector gc, int world, boolean retain) {
                gc.backward(g.objective()); // a graph of its own, on the gathered leaves
                run(gc, g.surrogate(), retain); // collective call (reduce-scatter)
            }

            @Override
            double value(Collective c) {
                return g.doubleValue(); // already the global loss, equal on every rank
            }
        };
    }

    /**
     * Back-propagates into the parameters (inside the step's gradient collector).
     *
     * @param retain keep the network's graph for the synchronised BatchNorm's passes
     */
    abstract void backward(GradientCollector gc, int world, boolean retain);

    private static void run(GradientCollector gc, NDArray target, boolean retain) {
        if (retain) {
            BatchNormSync.retainGraph(target);
        } else {
            gc.backward(target);
        }
    }

    /** The loss over the global batch, the same on every rank (may be a collective call). */
    abstract double value(Collective c);
}
