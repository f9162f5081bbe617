package io.github.selfsup4j.supervised;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.eval.Features;
import io.github.selfsup4j.eval.Retrieval;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Retrieval scores of a metric-learning run under its protocol (cosine similarity of the
 * normalised embeddings; Precision@1, R-Precision, MAP@R as Musgrave et al. 2020, and kNN
 * accuracy), and, measured in the same run through the same code, the baselines: raw pixels and
 * the same network with random weights.
 */
public final class RetrievalEvaluation {

    /** The k of the reported kNN accuracy. */
    public static final int KNN_K = 20;

    private RetrievalEvaluation() {}

    /**
     * The evaluation of a run.
     *
     * @param encoder the trained network's scores
     * @param rawPixels the raw-pixel baseline (null when skipped)
     * @param randomEncoder the random-weights baseline (null when skipped)
     * @param queryEmbeddings the trained network's query embeddings
     * @param knnK the k of the kNN accuracy
     * @param seconds wall time of the evaluation
     */
    public record Report(Retrieval.Result encoder, Retrieval.Result rawPixels,
            Retrieval.Result randomEncoder, float[][] queryEmbeddings, int knnK,
            double seconds) {

        /** The scores with the metrics' key names, the baselines under {@code baselines}. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = scores(encoder, knnK);
            Map<String, Object> b = new LinkedHashMap<>();
            if (rawPixels != null) {
                b.put("raw_pixels", scores(rawPixels, knnK));
                b.put("random_encoder", scores(randomEncoder, knnK));
            }
            m.put("baselines", b);
            return m;
        }
    }

    /** One representation's scores as JSON entries. */
    public static Map<String, Object> scores(Retrieval.Result r, int k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision_at_1", r.precisionAt1());
        m.put("r_precision", r.rPrecision());
        m.put("map_at_r", r.mapAtR());
        m.put("knn_accuracy_k" + k, r.knnAccuracy());
        m.put("retrieval_queries", r.queries());
        m.put("lone_queries", r.loneQueries());
        return m;
    }

    /**
     * Scores the job's frozen network on the split and, when asked, the baselines.
     *
     * @param job the trained job
     * @param split the run's images
     * @param baselines whether to score raw pixels and the random network too
     * @param log progress lines
     * @return the report
     */
    public static Report run(MetricMethod job, Protocol.Split split, boolean baselines,
            PrintStream log) {
        long start = System.nanoTime();
        int k = knnK(split);
        float[][] q = job.embed(split.queries());
        Retrieval.Result trained = score("encoder", q, split.referencesIncludeQueries() ? q
                : job.embed(split.references()), split, k, log);
        Retrieval.Result pixels = null;
        Retrieval.Result random = null;
        if (baselines) {
            float[][] pq = Features.pixels(split.queries());
            pixels = score("raw pixels", pq, split.referencesIncludeQueries() ? pq
                    : Features.pixels(split.references()), split, k, log);
            Engine.getInstance().setRandomSeed((int) job.setup().options().seed + 1);
            Block fresh = job.freshNetwork();
            try (NDManager m = job.manager().newSubManager()) {
                fresh.initialize(m, DataType.FLOAT32, new Shape(1, 1,
                        split.train().height(), split.train().width()));
                float[][] rq = MetricMethod.embed(fresh, split.queries(), job.setup(), m);
                random = score("random encoder", rq, split.referencesIncludeQueries() ? rq
                        : MetricMethod.embed(fresh, split.references(), job.setup(), m), split,
                        k, log);
            }
        }
        return new Report(trained, pixels, random, q, k, (System.nanoTime() - start) / 1e9);
    }

    /** The kNN k of a split: {@link #KNN_K}, fewer when there are fewer references. */
    public static int knnK(Protocol.Split split) {
        int refs = split.references().size() - (split.referencesIncludeQueries() ? 1 : 0);
        return Math.min(KNN_K, refs);
    }

    /** Retrieval of queries among references (cosine), as the run scores it. */
    public static Retrieval.Result retrieve(float[][] queries, ImageDataset q,
            float[][] references, ImageDataset r, boolean includesQueries, int k) {
        return Retrieval.evaluate(queries, q.labels(), references, r.labels(), includesQueries,
                Retrieval.Metric.COSINE, k);
    }

    private static Retrieval.Result score(String what, float[][] q, float[][] r,
            Protocol.Split split, int k, PrintStream log) {
        long t0 = System.nanoTime();
        Retrieval.Result res = retrieve(q, split.queries(), r, split.references(),
                split.referencesIncludeQueries(), k);
        log.printf("  %s: Precision@1 %.4f, R-Precision %.4f, MAP@R %.4f, kNN k=%d %.4f"
                + "  (%.1f s)%n", what, res.precisionAt1(), res.rPrecision(), res.mapAtR(), k,
                res.knnAccuracy(), (System.nanoTime() - t0) / 1e9);
        return res;
    }
}
