package io.github.selfsup4j.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.Normalization;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scores a frozen encoder on the test split: weighted kNN (k = 20, 200) with the train split as
 * memory, and a linear probe; and, measured in the same run, the baselines: kNN on raw pixels and
 * the same encoder with random weights.
 */
public final class Evaluation {

    private Evaluation() {}

    /** kNN and linear-probe accuracies of one representation. */
    public record Scores(double knnK20, double knnK200, Double linearProbe) {
        /** As JSON-ready entries with the metrics' key names. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("knn_top1_k20", knnK20);
            m.put("knn_top1_k200", knnK200);
            if (linearProbe != null) {
                m.put("linear_probe_top1", linearProbe);
            }
            return m;
        }
    }

    /** The evaluation of a run. */
    public record Report(Scores encoder, Scores rawPixels, Scores randomEncoder,
            float[][] testFeatures, double seconds) {
        /** The scores and baselines with the metrics' key names. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(encoder.toMap());
            Map<String, Object> baselines = new LinkedHashMap<>();
            if (rawPixels != null) {
                baselines.put("raw_pixels", rawPixels.toMap());
                baselines.put("random_encoder", randomEncoder.toMap());
            }
            m.put("baselines", baselines);
            return m;
        }
    }

    /**
     * How to evaluate.
     *
     * @param seed seed of the probe and of the random encoder
     * @param probeEpochs linear-probe epochs
     * @param batch images per forward pass
     * @param normalization the training images' pixel statistics
     */
    public record Settings(long seed, int probeEpochs, int batch, Normalization normalization) {}

    /** Scores and the test features they came from. */
    private record Scored(Scores scores, float[][] testFeatures) {}

    /**
     * Evaluates an encoder and the baselines.
     *
     * @param encoder the trained encoder
     * @param freshEncoder a new, uninitialised encoder of the same architecture (baseline)
     * @param settings seeds, probe epochs, batch, normalisation
     * @param train the memory / probe-training split
     * @param test the query / probe-test split
     * @param baselines whether to compute the baselines too
     * @param manager a manager on the compute device
     * @param log progress lines
     * @return the report
     */
    public static Report run(Block encoder, Supplier<Block> freshEncoder, Settings settings,
            ImageDataset train, ImageDataset test, boolean baselines, NDManager manager,
            PrintStream log) {
        long start = System.nanoTime();
        Scored trained = score(encoder, settings, train, test, manager, log, "encoder");
        Scores pixels = null;
        Scores random = null;
        if (baselines) {
            double[] knn = Knn.accuracy(Features.pixels(train), train.labels(),
                    Features.pixels(test), test.labels(), train.numClasses(), new int[] {20, 200},
                    0.07, manager);
            pixels = new Scores(knn[0], knn[1], null);
            log.printf("  raw pixels: kNN k=20 %.4f, k=200 %.4f%n", knn[0], knn[1]);
            Engine.getInstance().setRandomSeed((int) settings.seed() + 1);
            Block fresh = freshEncoder.get();
            try (NDManager m = manager.newSubManager()) {
                fresh.initialize(m, DataType.FLOAT32, new Shape(1, 1, train.height(),
                        train.width()));
                random = score(fresh, settings, train, test, m, log, "random encoder").scores();
            }
        }
        return new Report(trained.scores(), pixels, random, trained.testFeatures(),
                (System.nanoTime() - start) / 1e9);
    }

    private static Scored score(Block encoder, Settings settings, ImageDataset train,
            ImageDataset test, NDManager manager, PrintStream log, String what) {
        long t0 = System.nanoTime();
        Normalization n = settings.normalization();
        float[][] ftr = Features.extract(encoder, train, n.mean(), n.std(), settings.batch(),
                manager);
        float[][] fte = Features.extract(encoder, test, n.mean(), n.std(), settings.batch(),
                manager);
        long t1 = System.nanoTime();
        double[] knn = Knn.accuracy(ftr, train.labels(), fte, test.labels(), train.numClasses(),
                new int[] {20, 200}, 0.07, manager);
        long t2 = System.nanoTime();
        double probe = LinearProbe.accuracy(ftr, train.labels(), fte, test.labels(),
                train.numClasses(), settings.probeEpochs(), settings.seed());
        long t3 = System.nanoTime();
        log.printf("  %s: kNN k=20 %.4f, k=200 %.4f, linear probe %.4f  (features %.1f s, kNN"
                + " %.1f s, probe %.1f s)%n", what, knn[0], knn[1], probe, (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        return new Scored(new Scores(knn[0], knn[1], probe), fte);
    }
}
