package io.github.selfsup4j.distributed;

import ai.djl.ndarray.NDArray;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * A loss that can be computed across processes by {@link GatheredLoss}: every input is a batch
 * sharded by rows, and the loss over the gathered global batch splits into per-rank shares whose
 * sum is the loss.
 */
public interface Gatherable {

    /**
     * The declared inputs, in order. {@link GatheredLoss} makes its collective calls in this
     * order, never in a map's iteration order ({@code Map.of} iterates differently in each JVM).
     * Every {@code SelfSupLoss} already provides it.
     */
    List<InputSpec> inputs();

    /** The loss on the whole (gathered) batch. */
    LossOutput forward(Map<String, NDArray> global);

    /**
     * The share of {@code rank} in the loss over the gathered batch; the shares of all ranks add
     * up to the loss. The default computes the whole loss and divides it by the world size, which
     * is exact for any loss; losses that decompose by rows (NT-Xent, HCL) override it so that each
     * rank only computes its own rows.
     *
     * @param global the gathered inputs, rank r's rows at {@code [r·n, (r+1)·n)}
     * @param rank this rank
     * @param worldSize the number of ranks
     * @return this rank's share, with its graph to the gathered inputs
     */
    default NDArray shareOf(Map<String, NDArray> global, int rank, int worldSize) {
        NDArray loss = forward(global).value();
        return Ops.divide(loss, worldSize);
    }
}
