package io.github.selfsup4j.loss.registry;

import io.github.selfsup4j.loss.SelfSupLoss;
import io.github.selfsup4j.loss.Options;

import io.github.selfsup4j.loss.adversarial.GanBceLoss;
import io.github.selfsup4j.loss.adversarial.GanRole;
import io.github.selfsup4j.loss.adversarial.HingeGanLoss;
import io.github.selfsup4j.loss.adversarial.WganLoss;
import io.github.selfsup4j.loss.classic.CrossEntropyLoss;
import io.github.selfsup4j.loss.classic.HingeLoss;
import io.github.selfsup4j.loss.classic.MseLoss;
import io.github.selfsup4j.loss.classic.NllLoss;
import io.github.selfsup4j.loss.contrastive.HclLoss;
import io.github.selfsup4j.loss.contrastive.Implementation;
import io.github.selfsup4j.loss.contrastive.InfoNceLoss;
import io.github.selfsup4j.loss.contrastive.NtXentLoss;
import io.github.selfsup4j.loss.contrastive.SupConLoss;
import io.github.selfsup4j.loss.contrastive.Tiling;
import io.github.selfsup4j.loss.metric.ContrastiveLoss;
import io.github.selfsup4j.loss.metric.MultiSimilarityLoss;
import io.github.selfsup4j.loss.metric.TripletLoss;
import io.github.selfsup4j.loss.redundancy.BarlowTwinsLoss;
import io.github.selfsup4j.loss.redundancy.VicRegLoss;
import io.github.selfsup4j.metric.CosineSimilarity;
import io.github.selfsup4j.metric.Distance;
import io.github.selfsup4j.metric.EuclideanDistance;
import io.github.selfsup4j.metric.Miner;
import io.github.selfsup4j.metric.Miners;
import io.github.selfsup4j.metric.MultiSimilarityMiner;
import io.github.selfsup4j.metric.Reduction;
import io.github.selfsup4j.metric.TripletMarginMiner;
import io.github.selfsup4j.numerics.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Every loss by its public name, built from snake_case options (the names of the JSON interface
 * and the README's table). This is the one place where JSON option names meet the builders.
 */
public final class LossRegistry {

    private static final Map<String, Function<Options, SelfSupLoss>> FACTORIES =
            new LinkedHashMap<>();

    static {
        FACTORIES.put(ContrastiveLoss.NAME, o -> {
            ContrastiveLoss.Builder b = ContrastiveLoss.builder();
            o.number("margin", b::optMargin).number("pos_margin", b::optPosMargin)
                    .number("neg_margin", b::optNegMargin);
            Mining m = Mining.read(o, ContrastiveLoss.NAME, EuclideanDistance.NAME, true);
            o.finish();
            b.optDistance(m.distance).optMiner(m.miner).optReduction(m.reduction);
            return b.build();
        });
        FACTORIES.put(TripletLoss.NAME, o -> {
            TripletLoss.Builder b = TripletLoss.builder();
            o.number("margin", b::optMargin).number("p", b::optP).bool("swap", b::optSwap);
            Mining m = Mining.read(o, TripletLoss.NAME, EuclideanDistance.NAME, true);
            o.finish();
            b.optDistance(m.distance).optMiner(m.miner).optReduction(m.reduction);
            return b.build();
        });
        FACTORIES.put(SupConLoss.NAME, o -> {
            SupConLoss.Builder b = SupConLoss.builder();
            tiling(o.number("temperature", b::optTemperature), SupConLoss.NAME, b).finish();
            return b.build();
        });
        FACTORIES.put(MultiSimilarityLoss.NAME, o -> {
            MultiSimilarityLoss.Builder b = MultiSimilarityLoss.builder();
            o.number("alpha", b::optAlpha).number("beta", b::optBeta).number("base", b::optBase);
            Mining m = Mining.read(o, MultiSimilarityLoss.NAME, CosineSimilarity.NAME, false);
            o.finish();
            b.optDistance(m.distance).optMiner(m.miner);
            return b.build();
        });
        FACTORIES.put(InfoNceLoss.NAME, o -> {
            InfoNceLoss.Builder b = InfoNceLoss.builder();
            tiling(o.number("temperature", b::optTemperature).bool("normalize", b::optNormalize),
                    InfoNceLoss.NAME, b).finish();
            return b.build();
        });
        FACTORIES.put(NtXentLoss.NAME, o -> {
            NtXentLoss.Builder b = NtXentLoss.builder();
            tiling(o.number("temperature", b::optTemperature)
                    .integer("pairs_per_sample", b::optPairsPerSample), NtXentLoss.NAME, b)
                    .finish();
            return b.build();
        });
        FACTORIES.put(HclLoss.NAME, o -> {
            HclLoss.Builder b = HclLoss.builder();
            o.number("temperature", b::optTemperature)
                    .number("tau_plus", b::optTauPlus)
                    .number("beta", b::optBeta)
                    .string("estimator", s -> b.optEstimator(HclLoss.Estimator.parse(s)))
                    .bool("normalize", b::optNormalize)
                    .finish();
            return b.build();
        });
        FACTORIES.put(VicRegLoss.NAME, o -> {
            VicRegLoss.Builder b = VicRegLoss.builder();
            o.number("sim_coeff", b::optSimCoeff)
                    .number("std_coeff", b::optStdCoeff)
                    .number("cov_coeff", b::optCovCoeff)
                    .number("eps", b::optEps)
                    .finish();
            return b.build();
        });
        FACTORIES.put(BarlowTwinsLoss.NAME, o -> {
            BarlowTwinsLoss.Builder b = BarlowTwinsLoss.builder();
            o.number("lambda", b::optLambda).finish();
            return b.build();
        });
        FACTORIES.put(GanBceLoss.NAME, o -> {
            GanBceLoss.Builder b = GanBceLoss.builder();
            o.string("role", s -> b.optRole(GanRole.parse(GanBceLoss.NAME, s)))
                    .bool("from_logits", b::optFromLogits)
                    .string("generator",
                            s -> b.optGenerator(GanBceLoss.GeneratorObjective.parse(s)))
                    .finish();
            return b.build();
        });
        FACTORIES.put(WganLoss.NAME, o -> {
            WganLoss.Builder b = WganLoss.builder();
            o.string("role", s -> b.optRole(GanRole.parse(WganLoss.NAME, s))).finish();
            return b.build();
        });
        FACTORIES.put(HingeGanLoss.NAME, o -> {
            HingeGanLoss.Builder b = HingeGanLoss.builder();
            o.string("role", s -> b.optRole(GanRole.parse(HingeGanLoss.NAME, s))).finish();
            return b.build();
        });
        FACTORIES.put(MseLoss.NAME, o -> {
            o.finish();
            return new MseLoss();
        });
        FACTORIES.put(CrossEntropyLoss.NAME, o -> {
            CrossEntropyLoss.Builder b = CrossEntropyLoss.builder();
            o.number("label_smoothing", b::optLabelSmoothing).finish();
            return b.build();
        });
        FACTORIES.put(NllLoss.NAME, o -> {
            o.finish();
            return new NllLoss();
        });
        FACTORIES.put(HingeLoss.NAME, o -> {
            HingeLoss.Builder b = HingeLoss.builder();
            o.number("margin", b::optMargin).finish();
            return b.build();
        });
    }

    private LossRegistry() {}

    /**
     * The metric-learning options of a loss: {@code distance}, {@code normalize_embeddings},
     * {@code miner}, {@code miner_margin}, {@code miner_epsilon} and (where the loss reduces
     * tuples) {@code reduction}. The miner compares with the loss's distance.
     */
    private static final class Mining {
        String distanceName;
        Boolean normalize;
        String minerName;
        double margin = TripletMarginMiner.DEFAULT_MARGIN;
        double epsilon = MultiSimilarityMiner.DEFAULT_EPSILON;
        Distance distance;
        Miner miner;
        Reduction reduction = Reduction.MEAN_NONZERO;

        static Mining read(Options o, String owner, String defaultDistance, boolean reduces) {
            Mining m = new Mining();
            o.string("distance", v -> m.distanceName = v)
                    .bool("normalize_embeddings", v -> m.normalize = v)
                    .string("miner", v -> m.minerName = v)
                    .number("miner_margin", v -> m.margin = v)
                    .number("miner_epsilon", v -> m.epsilon = v);
            if (reduces) {
                o.string("reduction", v -> m.reduction = Reduction.parse(owner, v));
            }
            Checks.positive(owner, "miner_margin", m.margin);
            Checks.nonNegative(owner, "miner_epsilon", m.epsilon);
            m.distance = distance(owner, m.distanceName == null ? defaultDistance
                    : m.distanceName, m.normalize);
            m.miner = m.minerName == null ? null
                    : Miners.create(owner, m.minerName, m.distance, m.margin, m.epsilon);
            return m;
        }
    }

    /** A distance by name; {@code normalize} null is the default (true). */
    private static Distance distance(String owner, String name, Boolean normalize) {
        if (CosineSimilarity.NAME.equals(name) && Boolean.FALSE.equals(normalize)) {
            throw new IllegalArgumentException(owner + ": normalize_embeddings must be true for"
                    + " the cosine distance, got false");
        }
        return Distance.parse(owner, name, normalize == null || normalize);
    }

    /**
     * Builds a miner by name, for the {@code mine} request: options {@code distance} (default
     * cosine for multi-similarity, Euclidean on normalised embeddings otherwise, as PML), {@code
     * normalize_embeddings}, {@code margin} (semi-hard, 0.2) and {@code epsilon}
     * (multi-similarity, 0.1).
     *
     * @param name the miner name (see {@link Miners#NAMES})
     * @param options snake_case options
     * @return the miner
     * @throws IllegalArgumentException for an unknown name or a bad option
     */
    public static Miner miner(String name, Map<String, Object> options) {
        String owner = name == null ? "mine" : name;
        Options o = new Options(owner, options);
        String[] distanceName = {null};
        Boolean[] normalize = {null};
        double[] margin = {TripletMarginMiner.DEFAULT_MARGIN};
        double[] epsilon = {MultiSimilarityMiner.DEFAULT_EPSILON};
        o.string("distance", v -> distanceName[0] = v)
                .bool("normalize_embeddings", v -> normalize[0] = v)
                .number("margin", v -> margin[0] = v)
                .number("epsilon", v -> epsilon[0] = v)
                .finish();
        Checks.positive(owner, "margin", margin[0]);
        Checks.nonNegative(owner, "epsilon", epsilon[0]);
        Distance d = distance(owner, distanceName[0] != null ? distanceName[0]
                : Miners.defaultDistance(name).name(), normalize[0]);
        return Miners.create(owner, name, d, margin[0], epsilon[0]);
    }

    /** Reads the tiling options ({@code impl}, {@code tile_size}, {@code memory_budget_mb}). */
    private static Options tiling(Options o, String owner, Tiling.Builder<?> b) {
        return o.string("impl", s -> b.optImplementation(Implementation.parse(owner, s)))
                .integer("tile_size", b::optTileSize)
                .number("memory_budget_mb", b::optMemoryBudgetMb);
    }

    /** The names of all losses, in the README's order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(FACTORIES.keySet());
    }

    /**
     * Builds a loss by name.
     *
     * @param name the loss name, e.g. "nt-xent"
     * @param options snake_case options; absent ones take the builder's defaults
     * @return the loss
     * @throws IllegalArgumentException for an unknown name or a bad option
     */
    public static SelfSupLoss create(String name, Map<String, Object> options) {
        Function<Options, SelfSupLoss> f = name == null ? null : FACTORIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException(
                    "unknown loss \"" + name + "\" (losses: " + String.join(", ", names()) + ")");
        }
        return f.apply(new Options(name, options));
    }
}
