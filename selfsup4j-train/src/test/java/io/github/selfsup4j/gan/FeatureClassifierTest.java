package io.github.selfsup4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.IdxDataset;
import io.github.selfsup4j.data.ImageDataset;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring classifier of the GAN job is trained once and cached under its key (a second load
 * reads the same network; another seed trains another), and the scores built on its features
 * separate real images from a collapsed generator: the floor (real training images against the
 * test images) is small next to the same images of one class, measured in the same test.
 */
class FeatureClassifierTest {

    private static final int LIMIT = 2000;
    private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    /** Each test's own cache, so that neither depends on the other having run first. */
    @TempDir
    Path cache;

    static IdxDataset.Splits splits;

    @BeforeAll
    static void data() {
        splits = Datasets.load("../data/fashion-mnist", LIMIT);
    }

    private FeatureClassifier load(long seed) throws Exception {
        return FeatureClassifier.loadOrTrain(cache, "embedded", LIMIT, splits.train(),
                splits.test(), seed, 1, QUIET);
    }

    @Test
    void isTrainedOnceAndReadBackFromTheCache() throws Exception {
        float[] px = FeatureClassifier.pixels(splits.test(), 0, 50);
        float[][] first;
        double accuracy;
        try (FeatureClassifier c = load(3)) {
            assertFalse(c.fromCache());
            first = c.features(px, 50);
            accuracy = c.testAccuracy();
        }
        assertTrue(Files.isRegularFile(cache.resolve(
                FeatureClassifier.cacheName("embedded", LIMIT, 3, 1))));
        try (FeatureClassifier c = load(3)) {
            assertTrue(c.fromCache());
            assertEquals(accuracy, c.testAccuracy(), 0.0);
            for (int i = 0; i < first.length; i++) {
                assertArrayEquals(first[i], c.features(px, 50)[i], 0f, "image " + i);
            }
        }
        try (FeatureClassifier other = load(4)) {
            assertFalse(other.fromCache(), "another seed is another classifier");
        }
    }

    @Test
    void theFloorIsSmallNextToACollapsedGenerator() throws Exception {
        ImageDataset train = splits.train();
        int n = 1000;
        try (FeatureClassifier c = load(3)) {
            GanScores scores = new GanScores(c, splits.test(), n, 2, 1);
            Map<String, Object> floor = scores.score(FeatureClassifier.pixels(train, 0, n), n);
            // the same number of real images, all of one class: what mode collapse looks like
            int[] oneClass = IntStream.range(0, train.size())
                    .filter(i -> train.labels()[i] == train.labels()[0]).toArray();
            ImageDataset collapsed = train.select(IntStream.range(0, n)
                    .map(i -> oneClass[i % oneClass.length]).toArray());
            Map<String, Object> bad = scores.score(FeatureClassifier.pixels(collapsed, 0, n), n);
            double f = (double) floor.get("frechet_distance");
            double b = (double) bad.get("frechet_distance");
            System.out.printf("classifier accuracy %.3f; Fréchet distance: floor %.4f, one class"
                    + " %.4f; KID %.5f, %.5f%n", c.testAccuracy(), f, b, floor.get("kid"),
                    bad.get("kid"));
            assertTrue(f < 0.1 * b, "floor " + f + " against one class " + b);
            assertTrue((double) floor.get("kid") < 0.1 * (double) bad.get("kid"),
                    floor.get("kid") + " against " + bad.get("kid"));
            assertTrue((double) floor.get("min_class_fraction") > 0, floor.toString());
            assertTrue((double) bad.get("max_class_fraction") > 0.5, bad.toString());
        }
    }
}
