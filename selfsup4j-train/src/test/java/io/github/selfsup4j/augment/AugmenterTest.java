package io.github.selfsup4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.selfsup4j.data.Datasets;
import io.github.selfsup4j.data.ImageDataset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    static final ImageDataset DATA = Datasets.load("../data/fashion-mnist", 64).train();
    static final float MEAN = 0.2860f;
    static final float STD = 0.3530f;

    @Test
    void viewsKeepShapeAndRangeAndAreReproducible() {
        Augmenter aug = new Augmenter(Augmenter.Config.fashionMnist());
        float lo = (0 - MEAN) / STD - 1e-6f;
        float hi = (1 - MEAN) / STD + 1e-6f;
        try (ViewBatches a = new ViewBatches(DATA, aug, 16, 2, 7, 3, 2, 2, 0);
                ViewBatches b = new ViewBatches(DATA, aug, 16, 2, 7, 3, 1, 1, 0)) {
            assertEquals(4, a.size());
            for (int i = 0; i < a.size(); i++) {
                ViewBatches.Batch x = a.next();
                ViewBatches.Batch y = b.next();
                assertEquals(16 * 2 * 784, x.viewA().length, "N·P×28×28 per view");
                assertArrayEquals(x.viewA(), y.viewA(), "same seed, any threads: same views");
                assertArrayEquals(x.viewB(), y.viewB());
                for (float v : x.viewA()) {
                    assertTrue(v >= lo && v <= hi, "normalised pixel in range: " + v);
                }
                assertFalse(Arrays.equals(x.viewA(), x.viewB()), "the two views differ");
            }
        }
        try (ViewBatches other = new ViewBatches(DATA, aug, 16, 1, 8, 3, 1, 1, 0);
                ViewBatches same = new ViewBatches(DATA, aug, 16, 1, 7, 3, 1, 1, 0)) {
            assertFalse(Arrays.equals(other.next().viewA(), same.next().viewA()), "seed matters");
        }
    }

    @Test
    void aResumedEpochSeesTheSameBatches() {
        Augmenter aug = new Augmenter(Augmenter.Config.fashionMnist());
        try (ViewBatches whole = new ViewBatches(DATA, aug, 16, 1, 5, 1, 1, 2, 0);
                ViewBatches resumed = new ViewBatches(DATA, aug, 16, 1, 5, 1, 1, 2, 2)) {
            whole.next();
            whole.next();
            ViewBatches.Batch third = whole.next();
            ViewBatches.Batch first = resumed.next();
            assertEquals(2, first.index());
            assertArrayEquals(third.viewA(), first.viewA());
        }
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
