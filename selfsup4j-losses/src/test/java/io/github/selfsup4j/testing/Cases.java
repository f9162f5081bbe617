package io.github.selfsup4j.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Test cases for every loss in the registry: options, a generator of valid random inputs and the
 * brute-force reference value.
 */
public final class Cases {

    /** One loss with one set of options. */
    public record Case(
            String loss,
            Map<String, Object> options,
            Function<Random, Map<String, Arr>> inputs,
            ToDoubleFunction<Map<String, Arr>> reference) {
        @Override
        public String toString() {
            return loss + " " + options;
        }
    }

    /** The hyperparameters of each loss that must be finite and positive (or non-negative). */
    public static final Map<String, List<String>> HYPERPARAMETERS = Map.ofEntries(
            Map.entry("contrastive", List.of("margin")),
            Map.entry("triplet", List.of("margin", "p")),
            Map.entry("info-nce", List.of("temperature")),
            Map.entry("nt-xent", List.of("temperature", "pairs_per_sample")),
            Map.entry("hcl", List.of("temperature", "tau_plus", "beta")),
            Map.entry("vicreg", List.of("sim_coeff", "std_coeff", "cov_coeff", "eps")),
            Map.entry("barlow-twins", List.of("lambda")),
            Map.entry("cross-entropy", List.of("label_smoothing")),
            Map.entry("hinge", List.of("margin")),
            Map.entry("supcon", List.of("temperature")),
            Map.entry("multi-similarity", List.of("alpha", "beta")));

    private Cases() {}

    static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Arr> in(Object... kv) {
        Map<String, Arr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Arr) kv[i + 1]);
        }
        return m;
    }

    static double num(Map<String, Object> o, String k, double def) {
        Object v = o.get(k);
        return v == null ? def : ((Number) v).doubleValue();
    }

    static String str(Map<String, Object> o, String k, String def) {
        Object v = o.get(k);
        return v == null ? def : (String) v;
    }

    /** Embeddings (N×D) and labels with every class at least twice. */
    static Map<String, Arr> labeled(Random r, int n, int d) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
        }
        return in("embeddings", Arr.gaussian(r, n, d), "labels", Arr.ints(y));
    }

    static boolean bool(Map<String, Object> o, String k, boolean def) {
        Object v = o.get(k);
        return v == null ? def : (Boolean) v;
    }

    static Arr labels01(Random r, int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i < 2 ? i : r.nextInt(2);
        }
        return Arr.ints(y);
    }

    static Arr scaled(Arr a, double s) {
        double[] d = a.data.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] *= s;
        }
        return Arr.of(a.shape, d);
    }

    /** All cases. */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        for (Map<String, Object> o : List.of(opts(), opts("margin", 2.5))) {
            c.add(new Case("contrastive", o,
                    r -> in("x1", Arr.gaussian(r, 6, 3), "x2", Arr.gaussian(r, 6, 3),
                            "label", labels01(r, 6)),
                    x -> Reference.contrastive(x.get("x1").matrix(), x.get("x2").matrix(),
                            x.get("label").longs(), num(o, "margin", 1))));
        }
        for (Map<String, Object> o : List.of(opts(), opts("margin", 0.2, "normalize_embeddings",
                false, "reduction", "mean"), opts("margin", 0.3, "miner", "batch-hard"),
                opts("distance", "cosine", "margin", 0.4, "swap", true, "miner", "semi-hard",
                        "miner_margin", 0.6), opts("miner", "hard", "margin", 0.1))) {
            c.add(new Case("triplet", o, r -> labeled(r, 7, 3),
                    x -> MetricReference.triplet(x.get("embeddings").matrix(),
                            x.get("labels").longs(), str(o, "miner", "all"),
                            str(o, "distance", "euclidean"),
                            bool(o, "normalize_embeddings", true), num(o, "margin", 1),
                            num(o, "miner_margin", 0.2), bool(o, "swap", false),
                            str(o, "reduction", "mean-nonzero"))));
        }
        for (Map<String, Object> o : List.of(opts(), opts("normalize_embeddings", false,
                "neg_margin", 2.5, "pos_margin", 0.5, "reduction", "mean"),
                opts("distance", "cosine", "pos_margin", 0.9, "neg_margin", 0.1, "miner",
                        "multi-similarity"))) {
            c.add(new Case("contrastive", o, r -> labeled(r, 7, 3),
                    x -> MetricReference.contrastive(x.get("embeddings").matrix(),
                            x.get("labels").longs(), str(o, "miner", "all"),
                            str(o, "distance", "euclidean"),
                            bool(o, "normalize_embeddings", true), num(o, "pos_margin", 0),
                            num(o, "neg_margin", 1), 0.1, str(o, "reduction", "mean-nonzero"))));
        }
        for (Map<String, Object> o : List.of(opts(), opts("temperature", 0.5),
                opts("temperature", 0.2, "impl", "tiled", "tile_size", 3))) {
            c.add(new Case("supcon", o, r -> labeled(r, 7, 4),
                    x -> MetricReference.supCon(x.get("embeddings").matrix(),
                            x.get("labels").longs(), num(o, "temperature", 0.1))));
        }
        for (Map<String, Object> o : List.of(opts(), opts("miner", "multi-similarity"),
                opts("alpha", 1.5, "beta", 3, "base", 1.0, "distance", "euclidean",
                        "normalize_embeddings", false))) {
            c.add(new Case("multi-similarity", o, r -> labeled(r, 7, 3),
                    x -> MetricReference.multiSimilarity(x.get("embeddings").matrix(),
                            x.get("labels").longs(), num(o, "alpha", 2), num(o, "beta", 50),
                            num(o, "base", 0.5), str(o, "distance", "cosine"),
                            bool(o, "normalize_embeddings", true), str(o, "miner", "all"), 0.1)));
        }
        for (Map<String, Object> o : List.of(opts(), opts("margin", 0.5, "p", 1, "swap", true),
                opts("p", 3, "swap", true))) {
            c.add(new Case("triplet", o,
                    r -> in("anchor", Arr.gaussian(r, 5, 4), "positive", Arr.gaussian(r, 5, 4),
                            "negative", Arr.gaussian(r, 5, 4)),
                    x -> Reference.triplet(x.get("anchor").matrix(), x.get("positive").matrix(),
                            x.get("negative").matrix(), num(o, "margin", 1), num(o, "p", 2),
                            bool(o, "swap", false))));
        }
        for (Map<String, Object> o : List.of(opts(), opts("temperature", 0.2, "normalize", false))) {
            c.add(new Case("info-nce", o,
                    r -> in("query", Arr.gaussian(r, 4, 5), "key", Arr.gaussian(r, 4, 5),
                            "queue", Arr.gaussian(r, 7, 5)),
                    x -> Reference.infoNce(x.get("query").matrix(), x.get("key").matrix(),
                            x.get("queue").matrix(), num(o, "temperature", 0.07),
                            bool(o, "normalize", true))));
        }
        Map<String, Object> noQueue = opts("temperature", 0.5);
        c.add(new Case("info-nce", noQueue,
                r -> in("query", Arr.gaussian(r, 5, 3), "key", Arr.gaussian(r, 5, 3)),
                x -> Reference.infoNce(x.get("query").matrix(), x.get("key").matrix(), null,
                        0.5, true)));
        for (Map<String, Object> o : List.of(opts(), opts("temperature", 0.1, "pairs_per_sample", 2),
                opts("temperature", 0.3, "pairs_per_sample", 3))) {
            int p = (int) num(o, "pairs_per_sample", 1);
            c.add(new Case("nt-xent", o,
                    r -> in("z_i", Arr.gaussian(r, 3 * p, 4), "z_j", Arr.gaussian(r, 3 * p, 4)),
                    x -> Reference.ntXent(x.get("z_i").matrix(), x.get("z_j").matrix(),
                            num(o, "temperature", 0.5), p)));
        }
        for (Map<String, Object> o : List.of(opts(), opts("estimator", "easy"),
                opts("tau_plus", 0.0, "beta", 0.5, "temperature", 0.3),
                opts("tau_plus", 0.3, "beta", 2.0, "temperature", 0.2),
                opts("normalize", false, "temperature", 2.0))) {
            c.add(new Case("hcl", o,
                    r -> in("out_1", scaled(Arr.gaussian(r, 5, 3), 0.5),
                            "out_2", scaled(Arr.gaussian(r, 5, 3), 0.5)),
                    x -> Reference.hcl(x.get("out_1").matrix(), x.get("out_2").matrix(),
                            num(o, "temperature", 0.5), num(o, "tau_plus", 0.1),
                            num(o, "beta", 1.0), !"easy".equals(o.get("estimator")),
                            bool(o, "normalize", true))));
        }
        for (Map<String, Object> o : List.of(opts(),
                opts("sim_coeff", 1.0, "std_coeff", 2.0, "cov_coeff", 3.0, "eps", 1e-3))) {
            c.add(new Case("vicreg", o,
                    r -> in("z_i", scaled(Arr.gaussian(r, 6, 4), 0.6),
                            "z_j", scaled(Arr.gaussian(r, 6, 4), 0.6)),
                    x -> Reference.vicreg(x.get("z_i").matrix(), x.get("z_j").matrix(),
                            num(o, "sim_coeff", 25), num(o, "std_coeff", 25),
                            num(o, "cov_coeff", 1), num(o, "eps", 1e-4))[0]));
        }
        for (Map<String, Object> o : List.of(opts(), opts("lambda", 0.1))) {
            c.add(new Case("barlow-twins", o,
                    r -> in("z1", Arr.gaussian(r, 7, 3), "z2", Arr.gaussian(r, 7, 3)),
                    x -> Reference.barlowTwins(x.get("z1").matrix(), x.get("z2").matrix(),
                            num(o, "lambda", 0.0051))[0]));
        }
        c.add(new Case("gan-bce", opts("role", "discriminator"),
                r -> in("real_logits", Arr.uniform(r, -3, 3, 5),
                        "fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> Reference.ganBceDiscriminator(x.get("real_logits").data,
                        x.get("fake_logits").data, true)));
        c.add(new Case("gan-bce", opts("role", "discriminator", "from_logits", false),
                r -> in("real_logits", Arr.uniform(r, 0.05, 0.95, 5),
                        "fake_logits", Arr.uniform(r, 0.05, 0.95, 4)),
                x -> Reference.ganBceDiscriminator(x.get("real_logits").data,
                        x.get("fake_logits").data, false)));
        c.add(new Case("gan-bce", opts("role", "generator"),
                r -> in("fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> Reference.ganBceGenerator(x.get("fake_logits").data, true, true)));
        c.add(new Case("gan-bce", opts("role", "generator", "generator", "saturating"),
                r -> in("fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> Reference.ganBceGenerator(x.get("fake_logits").data, true, false)));
        c.add(new Case("wgan", opts("role", "discriminator"),
                r -> in("real_logits", Arr.uniform(r, -3, 3, 5),
                        "fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> Reference.wganCritic(x.get("real_logits").data, x.get("fake_logits").data)));
        c.add(new Case("wgan", opts("role", "generator"),
                r -> in("fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> -Reference.mean(x.get("fake_logits").data)));
        c.add(new Case("hinge-gan", opts("role", "discriminator"),
                r -> in("real_logits", Arr.uniform(r, -3, 3, 5),
                        "fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> Reference.hingeGanDiscriminator(x.get("real_logits").data,
                        x.get("fake_logits").data)));
        c.add(new Case("hinge-gan", opts("role", "generator"),
                r -> in("fake_logits", Arr.uniform(r, -3, 3, 4)),
                x -> -Reference.mean(x.get("fake_logits").data)));
        c.add(new Case("mse", opts(),
                r -> in("input", Arr.gaussian(r, 3, 4), "target", Arr.gaussian(r, 3, 4)),
                x -> Reference.mse(x.get("input").data, x.get("target").data)));
        for (Map<String, Object> o : List.of(opts(), opts("label_smoothing", 0.1))) {
            c.add(new Case("cross-entropy", o,
                    r -> in("logits", Arr.gaussian(r, 5, 4),
                            "target", Arr.ints(0, 3, 1, 2, r.nextInt(4))),
                    x -> Reference.crossEntropy(x.get("logits").matrix(),
                            x.get("target").longs(), num(o, "label_smoothing", 0))));
        }
        c.add(new Case("nll", opts(),
                r -> in("log_probs", scaled(Arr.uniform(r, 0.1, 3, 12), -1).reshape(3, 4),
                        "target", Arr.ints(2, 0, 3)),
                x -> Reference.nll(x.get("log_probs").matrix(), x.get("target").longs())));
        for (Map<String, Object> o : List.of(opts(), opts("margin", 0.5))) {
            c.add(new Case("hinge", o,
                    r -> in("scores", Arr.uniform(r, -2, 2, 6), "labels", Arr.ints(1, -1, 1, 1, -1, -1)),
                    x -> Reference.hinge(x.get("scores").data, x.get("labels").longs(),
                            num(o, "margin", 1))));
        }
        return c;
    }
}
