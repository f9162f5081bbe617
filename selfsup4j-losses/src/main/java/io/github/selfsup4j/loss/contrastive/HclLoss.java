package io.github.selfsup4j.loss.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.selfsup4j.distributed.Gatherable;
import io.github.selfsup4j.loss.InputSpec;
import io.github.selfsup4j.loss.LossOutput;
import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.numerics.Checks;
import io.github.selfsup4j.numerics.Ops;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HCL, contrastive learning with hard negative samples (Robinson, Chuang, Sra, Jegelka, ICLR
 * 2021), with the debiasing of Chuang et al. 2020.
 *
 * <p>Inputs {@code out_1}, {@code out_2} (B×D), L2 normalised when {@code normalize} (default
 * true). With the \(2B\) rows stacked, \(s_{rc} = z_r^\top z_c/\tau\), \(p_r = \exp(s_{r r^+})\)
 * for the partner row \(r^+\), and the \(N = 2B-2\) negatives of row \(r\) (all rows but \(r\)
 * and \(r^+\)):
 *
 * <p>hard estimator: \( \mathrm{reweight}_r = \frac{\sum_c e^{(1+\beta)s_{rc}}}{\frac{1}{N}\sum_c
 * e^{\beta s_{rc}}}, \quad N^g_r = \max\left(\frac{\mathrm{reweight}_r - \tau^+ N p_r}{1 -
 * \tau^+},\; N e^{-1/\tau}\right) \)
 *
 * <p>easy estimator: \( N^g_r = \sum_c e^{s_{rc}} \) (plain SimCLR). The loss is \( L =
 * \frac{1}{2B}\sum_r -\log\frac{p_r}{p_r + N^g_r} \).
 *
 * <p>Defaults: {@code temperature} 0.5, {@code tau_plus} 0.1, {@code beta} 1.0, {@code
 * estimator} hard, {@code normalize} true, as in the authors' code. Every term is computed in log
 * space or shifted by the row's largest log-term, so no exponential overflows even at τ = 0.01
 * and the clamp introduces no infinite intermediate.
 */
public final class HclLoss extends SelfSupLoss implements Gatherable {

    /** The name used by the registry and the JSON interface. */
    public static final String NAME = "hcl";

    /** How the negative term is estimated. */
    public enum Estimator {
        /** Hard-negative reweighting with debiasing and clamp. */
        HARD,
        /** The plain sum over negatives (SimCLR). */
        EASY;

        /** Parses "hard" or "easy". */
        public static Estimator parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        NAME + ": estimator must be \"hard\" or \"easy\", got \"" + s + "\"", e);
            }
        }
    }

    private final double temperature;
    private final double tauPlus;
    private final double beta;
    private final Estimator estimator;
    private final boolean normalize;

    private HclLoss(Builder b) {
        super(b.name);
        this.temperature = Checks.positive(NAME, "temperature", b.temperature);
        this.tauPlus = Checks.inRange(NAME, "tau_plus", b.tauPlus, 0.0, 1.0);
        this.beta = Checks.nonNegative(NAME, "beta", b.beta);
        if (b.estimator == null) {
            throw new IllegalArgumentException(NAME + ": estimator must be hard or easy, got null");
        }
        this.estimator = b.estimator;
        this.normalize = b.normalize;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The temperature τ. */
    public double temperature() {
        return temperature;
    }

    /** The class prior τ⁺. */
    public double tauPlus() {
        return tauPlus;
    }

    /** The hardness β. */
    public double beta() {
        return beta;
    }

    /** The estimator. */
    public Estimator estimator() {
        return estimator;
    }

    @Override
    public List<InputSpec> inputs() {
        return List.of(InputSpec.prediction("out_1"), InputSpec.prediction("out_2"));
    }

    @Override
    protected LossOutput compute(Map<String, NDArray> in) {
        NDArray[] z = prepare(in);
        return LossOutput.of(rowLosses(z[0], z[1], 0, z[0].getShape().get(0)).mean());
    }

    @Override
    public NDArray shareOf(Map<String, NDArray> global, int rank, int worldSize) {
        NDArray[] z = prepare(global);
        long b = z[0].getShape().get(0);
        long local = b / worldSize;
        return rowLosses(z[0], z[1], rank * local, (rank + 1) * local).sum().div(Ops.scalar(z[0], 2.0 * b));
    }

    private NDArray[] prepare(Map<String, NDArray> in) {
        NDArray a = Checks.floating(NAME, "out_1", in.get("out_1"), 2);
        NDArray b = Checks.floating(NAME, "out_2", in.get("out_2"), 2);
        Checks.sameShape(NAME, "out_1", a, "out_2", b);
        Checks.minRows(NAME, "out_1", a, 2, "every row needs at least two negatives");
        DataType t = Ops.computeType(a, b);
        a = Ops.promote(a, t);
        b = Ops.promote(b, t);
        if (normalize) {
            a = Ops.l2Normalize(a);
            b = Ops.l2Normalize(b);
        }
        return new NDArray[] {a, b};
    }

    /** Per-row losses of rows [from, to) of both views. */
    private NDArray rowLosses(NDArray o1, NDArray o2, long from, long to) {
        int bsz = (int) o1.getShape().get(0);
        int local = (int) (to - from);
        NDArray q1 = Ops.slice(o1, from, to);
        NDArray q2 = Ops.slice(o2, from, to);
        NDArray s = Ops.divide(Ops.rows(q1, q2).matMul(Ops.rows(o1, o2).transpose()), temperature);
        NDArray pos = Ops.divide(Ops.rowDot(q1, q2), temperature);
        pos = Ops.rows(pos, pos);
        // a row's negatives: every row but itself and its partner (the other rows of its sample)
        int[] rowGroup = new int[2 * local];
        int[] none = new int[2 * local];
        for (int r = 0; r < 2 * local; r++) {
            rowGroup[r] = (int) from + (r < local ? r : r - local);
            none[r] = -1;
        }
        int[] colGroup = new int[2 * bsz];
        int[] colId = new int[2 * bsz];
        for (int c = 0; c < 2 * bsz; c++) {
            colGroup[c] = c % bsz;
            colId[c] = c;
        }
        NDArray mask = Ops.groupMask(o1.getManager(), rowGroup, colGroup, none, colId,
                s.getDataType());
        if (estimator == Estimator.EASY) {
            // -log(p / (p + sum neg)) = softplus(logsumexp(neg) - pos)
            return Ops.softplus(Ops.logSumExp(s.add(mask), 1, false).sub(pos));
        }
        double n = 2.0 * bsz - 2.0;
        NDArray logReweight = Ops.logSumExp(Ops.scale(s, 1.0 + beta).add(mask), 1, false)
                .sub(Ops.logSumExp(Ops.scale(s, beta).add(mask), 1, false))
                .add(Math.log(n));
        double logClamp = Math.log(n) - 1.0 / temperature;
        // Shift every term by the row's largest log-term (detached): all exponentials are <= 1.
        NDArray shift = Ops.atLeast(logReweight.maximum(pos), logClamp);
        if (tauPlus > 0) {
            shift = shift.maximum(pos.add(Math.log(tauPlus * n)));
        }
        shift = shift.stopGradient();
        NDArray p = pos.sub(shift).exp();
        NDArray ng = Ops.divide(logReweight.sub(shift).exp().sub(Ops.scale(p, tauPlus * n)),
                1.0 - tauPlus);
        NDArray clamp = shift.neg().add(logClamp).exp();
        ng = ng.maximum(clamp);
        return p.add(ng).log().sub(pos.sub(shift));
    }

    /** Builds an {@link HclLoss}. */
    public static final class Builder {
        private String name = NAME;
        private double temperature = 0.5;
        private double tauPlus = 0.1;
        private double beta = 1.0;
        private Estimator estimator = Estimator.HARD;
        private boolean normalize = true;

        private Builder() {}

        /** The temperature τ (default 0.5). */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** The class prior τ⁺ in [0, 1) (default 0.1). */
        public Builder optTauPlus(double tauPlus) {
            this.tauPlus = tauPlus;
            return this;
        }

        /** The concentration β >= 0 of the hard-negative weighting (default 1.0). */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /** The estimator (default hard). */
        public Builder optEstimator(Estimator estimator) {
            this.estimator = estimator;
            return this;
        }

        /** Whether to L2-normalise the inputs (default true). */
        public Builder optNormalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** The name DJL reports the loss under (default "hcl"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Checks the options and builds the loss. */
        public HclLoss build() {
            return new HclLoss(this);
        }
    }
}
