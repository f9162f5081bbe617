package io.github.selfsup4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.ImageDataset;
import io.github.selfsup4j.data.ShuffleSampler;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    static final ImageDataset DATA = Datasets.load("../data/fashion-mnist", 64).train();
    static final float MEAN = 0.2860f;
    static final float STD = 0.3530f;

    static ViewBatches source(Augmenter aug, int batch, int pairs, long seed, int threads,
            int rank, int world) {
        return new ViewBatches(DATA.images(), new ShuffleSampler(DATA.size(), batch, rank, world,
                seed), new ViewRecipe(List.of(aug, aug), pairs), seed, threads, 2);
    }

    @Test
    void viewsKeepShapeAndRangeAndAreReproducible() {
        Augmenter aug = new Augmenter(Augmenter.Config.fashionMnist());
        float lo = (0 - MEAN) / STD - 1e-6f;
        float hi = (1 - MEAN) / STD + 1e-6f;
        ViewBatches sa = source(aug, 16, 2, 7, 2, 0, 1);
        ViewBatches sb = source(aug, 16, 2, 7, 1, 0, 1);
        assertEquals(4, sa.batchesPerEpoch());
        try (ViewBatches.Epoch a = sa.open(3, 0); ViewBatches.Epoch b = sb.open(3, 0)) {
            for (int i = 0; i < 4; i++) {
                ViewBatch x = a.next();
                ViewBatch y = b.next();
                assertEquals(16 * 2 * 784, x.view(0).pixels().length, "N·P×28×28 per view");
                assertEquals(32, x.view(0).rows());
                assertArrayEquals(x.view(0).pixels(), y.view(0).pixels(),
                        "same seed, any threads: same views");
                assertArrayEquals(x.view(1).pixels(), y.view(1).pixels());
                for (float v : x.view(0).pixels()) {
                    assertTrue(v >= lo && v <= hi, "normalised pixel in range: " + v);
                }
                assertFalse(Arrays.equals(x.view(0).pixels(), x.view(1).pixels()),
                        "the two views differ");
            }
            assertFalse(a.hasNext());
        }
        assertFalse(Arrays.equals(source(aug, 16, 1, 8, 1, 0, 1).make(3, 0).view(0).pixels(),
                source(aug, 16, 1, 7, 1, 0, 1).make(3, 0).view(0).pixels()), "seed matters");
    }

    @Test
    void aResumedEpochSeesTheSameBatches() {
        Augmenter aug = new Augmenter(Augmenter.Config.fashionMnist());
        ViewBatches s = source(aug, 16, 1, 5, 1, 0, 1);
        try (ViewBatches.Epoch whole = s.open(1, 0); ViewBatches.Epoch resumed = s.open(1, 2)) {
            whole.next();
            whole.next();
            ViewBatch third = whole.next();
            ViewBatch first = resumed.next();
            assertEquals(2, first.index());
            assertArrayEquals(third.view(0).pixels(), first.view(0).pixels());
        }
    }

    @Test
    void ranksSplitTheGlobalBatchAndSeeTheSameViewsAsOneProcess() {
        // two ranks of 8 images together hold exactly the images and views one process with a
        // batch of 16 makes: what makes N ranks × B equivalent to one process × N·B
        Augmenter aug = new Augmenter(Augmenter.Config.fashionMnist());
        ViewBatch one = source(aug, 16, 2, 9, 1, 0, 1).make(2, 1);
        ViewBatch r0 = source(aug, 8, 2, 9, 1, 0, 2).make(2, 1);
        ViewBatch r1 = source(aug, 8, 2, 9, 1, 1, 2).make(2, 1);
        int[] images = new int[16];
        System.arraycopy(r0.images(), 0, images, 0, 8);
        System.arraycopy(r1.images(), 0, images, 8, 8);
        assertArrayEquals(one.images(), images);
        for (int v = 0; v < 2; v++) {
            float[] joined = new float[one.view(v).pixels().length];
            int half = joined.length / 2;
            System.arraycopy(r0.view(v).pixels(), 0, joined, 0, half);
            System.arraycopy(r1.view(v).pixels(), 0, joined, half, half);
            assertArrayEquals(one.view(v).pixels(), joined, "view " + v);
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int b = 0; b < 4; b++) {
            for (int i : source(aug, 8, 1, 9, 1, 0, 2).sampler().batch(0, b)) {
                assertTrue(seen.add(i), "rank 0 sees image " + i + " once");
            }
            for (int i : source(aug, 8, 1, 9, 1, 1, 2).sampler().batch(0, b)) {
                assertTrue(seen.add(i), "the ranks' shards are disjoint: " + i);
            }
        }
        assertEquals(64, seen.size(), "together the whole epoch");
    }

    @Test
    void identityIsTheNormalisedImageAndFlipMirrors() {
        float[] plain = new float[784];
        Augmenter.plain(DATA.pixels(), 0, 784, MEAN, STD, plain, 0);
        float[] view = new float[784];
        new Augmenter(Augmenter.Config.identity(MEAN, STD))
                .view(DATA.pixels(), 0, 28, 28, new SplittableRandom(1), view, 0);
        assertArrayEquals(plain, view, 1e-5f);
        Augmenter flip = new Augmenter(new Augmenter.Config(1, 1, 1.0, 0, 0, 0, 0, MEAN, STD));
        flip.view(DATA.pixels(), 0, 28, 28, new SplittableRandom(1), view, 0);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(plain[y * 28 + 27 - x], view[y * 28 + x], 1e-5f);
            }
        }
    }

    @Test
    void cropsZoomIn() {
        // a 20 % crop of a non-empty image differs from the image and keeps its size
        Augmenter crop = new Augmenter(new Augmenter.Config(0.2, 0.2, 0, 0, 0, 0, 0, 0f, 1f));
        float[] view = new float[784];
        crop.view(DATA.pixels(), 0, 28, 28, new SplittableRandom(3), view, 0);
        float[] plain = DATA.image(0);
        assertFalse(Arrays.equals(plain, view));
        for (float v : view) {
            assertTrue(v >= 0 && v <= 1);
        }
    }
}
