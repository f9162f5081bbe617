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
 * VICReg, variance-invariance-covariance regularisation (Bardes, Ponce, LeCun, ICLR 2022).
 *
 * <p>Inputs {@code z_i}, {@code z_j} (N×D, N ≥ 2). With \(\bar z\) the batch-centred views,
 * \(\mathrm{Var}\) the unbiased per-feature variance and \(C(z) = \bar z^\top \bar z/(N-1)\):
 *
 * <ul>
 *   <li>invariance \( s = \frac{1}{ND}\lVert z_i - z_j\rVert_F^2 \) (the MSE)
 *   <li>variance \( v = \frac{1}{2}\left[\frac{1}{D}\sum_d \max(0, 1 - \sqrt{\mathrm{Var}(z_i)_d +
 *       \epsilon}) + \frac{1}{D}\sum_d \max(0, 1 - \sqrt{\mathrm{Var}(z_j)_d + \epsilon})\right]
 *       \)
 *   <li>covariance \( c = \frac{1}{D}\sum_{a\neq b} C(z_i)_{ab}^2 + \frac{1}{D}\sum_{a\neq b}
 *       C(z_j)_{ab}^2 \)
 * </ul>
 *
 * <p>\( L = \lambda s + \mu v + \nu c \) with defaults {@code sim_coeff} λ = 25, {@code std_coeff}
 * μ = 25, {@code cov_coeff} ν = 1, {@code eps} 1e-4, as in the paper and its code. The unweighted
 * terms are returned as components {@code invariance}, {@code variance} and {@code covariance}.
 */
public final class VicRegLoss extends SelfSupLoss implements Gatherable {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "vicreg";

    private final double simCoeff;
    private final double stdCoeff;
    private final double covCoeff;
    private final double eps;

    private VicRegLoss(Builder b) {
        super(b.name);
        this.simCoeff = Checks.nonNegative(NAME, "sim_coeff", b.simCoeff);
        this.stdCoeff = Checks.nonNegative(NAME, "std_coeff", b.stdCoeff);
        this.covCoeff = Checks.nonNegative(NAME, "cov_coeff", b.covCoeff);
        this.eps = Checks.positive(NAME, "eps", b.eps);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The invariance weight. */
    public double simCoeff() {
        return simCoeff;
    }

    /** The variance weight. */
    public double stdCoeff() {
        return stdCoeff;
    }

    /** The covariance weight. */
    public double covCoeff() {
        return covCoeff;
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("z_i"), InputSpec.prediction("z_j"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray x = Checks.floating(NAME, "z_i", in.get("z_i"), 2);
        NDArray y = Checks.floating(NAME, "z_j", in.get("z_j"), 2);
        Checks.sameShape(NAME, "z_i", x, "z_j", y);
        Checks.minRows(NAME, "z_i", x, 2, "the unbiased variance needs two samples");
        DataType t = Ops.computeType(x, y);
        x = Ops.promote(x, t);
        y = Ops.promote(y, t);
        long n = x.getShape().get(0);
        long d = x.getShape().get(1);
        NDArray invariance = x.sub(y).square().mean();
        NDArray xc = x.sub(x.mean(new int[] {0}, true));
        NDArray yc = y.sub(y.mean(new int[] {0}, true));
        NDArray variance = Ops.scale(stdTerm(xc, n).add(stdTerm(yc, n)), 0.5);
        NDArray covariance = covTerm(xc, n, d).add(covTerm(yc, n, d));
        NDArray loss = Ops.scale(invariance, simCoeff)
                .add(Ops.scale(variance, stdCoeff))
                .add(Ops.scale(covariance, covCoeff));
        return LossOutput.of(loss,
                "invariance", invariance, "variance", variance, "covariance", covariance);
    }

    private NDArray stdTerm(NDArray centred, long n) {
        NDArray std = Ops.divide(centred.square().sum(new int[] {0}), n - 1.0).add(eps).sqrt();
        return Ops.relu(std.neg().add(1.0)).mean();
    }

    private static NDArray covTerm(NDArray centred, long n, long d) {
        NDArray cov = Ops.divide(centred.transpose().matMul(centred), n - 1.0);
        return Ops.divide(Ops.offDiagonalSquareSum(cov), d);
    }

    /** Builds a {@link VicRegLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double simCoeff = 25.0;
        private double stdCoeff = 25.0;
        private double covCoeff = 1.0;
        private double eps = 1e-4;

        private Builder() {}

        /** Weight of the invariance term (default 25). */
        public Builder optSimCoeff(double v) {
            this.simCoeff = v;
            return this;
        }

        /** Weight of the variance term (default 25). */
        public Builder optStdCoeff(double v) {
            this.stdCoeff = v;
            return this;
        }

        /** Weight of the covariance term (default 1). */
        public Builder optCovCoeff(double v) {
            this.covCoeff = v;
            return this;
        }

        /** Added to the variance under the square root (default 1e-4). */
        public Builder optEps(double v) {
            this.eps = v;
            return this;
        }

        /** The name DJL reports the loss under (default "vicreg"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public VicRegLoss build() {
            return new VicRegLoss(this);
        }
    }
}
