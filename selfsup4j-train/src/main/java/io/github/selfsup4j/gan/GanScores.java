package io.github.selfsup4j.gan;

import io.github.selfsup4j.data.ImageDataset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sample quality in the feature space of a {@link FeatureClassifier}: the Fréchet distance and
 * KID (unbiased, cubic polynomial kernel) of a set of images against the first N test images,
 * and the classifier's predicted-class histogram of the set (mode collapse shows as missing
 * classes). Not comparable to Inception FID: another network, another feature space.
 */
public final class GanScores {

    private final FeatureClassifier classifier;
    private final float[][] testFeatures;
    private final int kidSubsets;
    private final long seed;
    private final String[] classNames;

    /**
     * Scores against the first {@code n} test images.
     *
     * @param classifier the scoring classifier
     * @param test the test split
     * @param n how many test images (at most the split)
     * @param kidSubsets KID subsets of min(1000, n) rows
     * @param seed the seed of KID's subsets
     */
    public GanScores(FeatureClassifier classifier, ImageDataset test, int n, int kidSubsets,
            long seed) {
        this.classifier = classifier;
        int m = Math.min(n, test.size());
        this.testFeatures = classifier.features(FeatureClassifier.pixels(test, 0, m), m);
        this.kidSubsets = kidSubsets;
        this.seed = seed;
        this.classNames = test.classes();
    }

    /** Test images the scores compare against. */
    public int size() {
        return testFeatures.length;
    }

    /**
     * The scores of n images (pixels in [−1, 1]).
     *
     * @return frechet_distance, kid, kid_std, class_fractions (by class name), min and max
     *     class fraction
     */
    public Map<String, Object> score(float[] pixels, int n) {
        float[][] f = classifier.features(pixels, n);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", n);
        m.put("frechet_distance", FrechetDistance.between(f, testFeatures));
        KernelInceptionDistance.Result kid = KernelInceptionDistance.builder()
                .optSubsets(kidSubsets).optSubsetSize(Math.min(1000, Math.min(n, size())))
                .optSeed(seed).build().compute(testFeatures, f);
        m.put("kid", kid.mean());
        m.put("kid_std", kid.std());
        int[] predicted = classifier.predict(pixels, n);
        double[] fraction = new double[classNames.length];
        for (int p : predicted) {
            fraction[p] += 1.0 / n;
        }
        Map<String, Double> hist = new LinkedHashMap<>();
        double lo = 1;
        double hi = 0;
        for (int c = 0; c < fraction.length; c++) {
            hist.put(classNames[c], fraction[c]);
            lo = Math.min(lo, fraction[c]);
            hi = Math.max(hi, fraction[c]);
        }
        m.put("class_fractions", hist);
        m.put("min_class_fraction", lo);
        m.put("max_class_fraction", hi);
        return m;
    }

    /** One line: FD, KID and the smallest and largest class fraction. */
    public static String line(Map<String, Object> s) {
        return String.format("Fréchet distance %.3f  KID %.4f ± %.4f  classes %.1f%%–%.1f%%",
                (double) s.get("frechet_distance"), (double) s.get("kid"),
                (double) s.get("kid_std"), 100 * (double) s.get("min_class_fraction"),
                100 * (double) s.get("max_class_fraction"));
    }
}
