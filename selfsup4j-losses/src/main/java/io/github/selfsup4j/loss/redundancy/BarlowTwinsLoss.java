package io.github.selfsup4j.loss.redundancy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.distributed.Gatherable;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Map;

/**
 * Barlow Twins (Zbontar, Jing, Misra, LeCun, Deny, ICML 2021).
 *
 * <p>Inputs {@code z1}, {@code z2} (N×D). Each view is batch-normalised without affine
 * parameters (batch mean, biased variance, ε = 1e-5, as {@code BatchNorm1d(affine=False)} in
 * training mode), giving \(\hat z_1, \hat z_2\). The cross-correlation is \( C = \hat z_1^\top
 * \hat z_2 / N \) and
 *
 * <p>\( L = \sum_i (1 - C_{ii})^2 + \lambda \sum_{i \neq j} C_{ij}^2 \)
 *
 * <p>Default {@code lambda} 0.0051. Components {@code on_diagonal} and {@code off_diagonal} hold
 * the two unweighted sums. Across processes, {@link io.github.selfsup4j.distributed.GatheredLoss}
 * computes the batch statistics and the correlation over the global batch (as the official code
 * does with SyncBatchNorm and an all-reduce of C), with exact gradients.
 */
public final class BarlowTwinsLoss extends SelfSupLoss implements Gatherable {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "barlow-twins";

    /** The batch-norm epsilon. */
    public static final double BN_EPS = 1e-5;

    private final double lambda;

    private BarlowTwinsLoss(Builder b) {
        super(b.name);
        this.lambda = Checks.nonNegative(NAME, "lambda", b.lambda);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The off-diagonal weight λ. */
    public double lambda() {
        return lambda;
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("z1"), InputSpec.prediction("z2"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray a = Checks.floating(NAME, "z1", in.get("z1"), 2);
        NDArray b = Checks.floating(NAME, "z2", in.get("z2"), 2);
        Checks.sameShape(NAME, "z1", a, "z2", b);
        DataType t = Ops.computeType(a, b);
        long n = a.getShape().get(0);
        NDArray an = batchNorm(Ops.promote(a, t));
        NDArray bn = batchNorm(Ops.promote(b, t));
        NDArray c = Ops.divide(an.transpose().matMul(bn), n);
        NDArray onDiag = Ops.divide(Ops.rowDot(an.transpose(), bn.transpose()), n).neg()
                .add(1.0).square().sum();
        NDArray offDiag = Ops.offDiagonalSquareSum(c);
        return LossOutput.of(onDiag.add(Ops.scale(offDiag, lambda)),
                "on_diagonal", onDiag, "off_diagonal", offDiag);
    }

    private static NDArray batchNorm(NDArray z) {
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray var = centred.square().mean(new int[] {0}, true);
        return centred.div(var.add(BN_EPS).sqrt());
    }

    /** Builds a {@link BarlowTwinsLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double lambda = 0.0051;

        private Builder() {}

        /** Weight λ of the off-diagonal (redundancy) term (default 0.0051). */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** The name DJL reports the loss under (default "barlow-twins"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public BarlowTwinsLoss build() {
            return new BarlowTwinsLoss(this);
        }
    }
}
