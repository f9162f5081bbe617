package io.github.selfsup4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image-folder input: layout, greyscale conversion, resizing, order and clear errors. */
class ImageFolderTest {

    @TempDir
    Path dir;

    private void image(String path, int w, int h, Color c, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        Path f = dir.resolve(path);
        Files.createDirectories(f.getParent());
        assertTrue(ImageIO.write(img, format, f.toFile()));
    }

    private void layout() throws IOException {
        for (int i = 0; i < 3; i++) {
            image("train/boot/b" + i + ".png", 10, 12, Color.RED, "png");
            image("train/coat/c" + i + ".png", 40, 30, Color.WHITE, "png");
        }
        image("test/boot/t0.png", 28, 28, Color.RED, "png");
        image("test/coat/t1.bmp", 5, 5, Color.BLACK, "bmp");
    }

    @Test
    void loadsBothSplitsAsGreyscale28x28WithClassesInterleaved() throws IOException {
        layout();
        assertTrue(ImageFolder.isImageFolder(dir));
        IdxDataset.Splits s = Datasets.load(dir.toString(), 0);
        assertArrayEquals(new String[] {"boot", "coat"}, s.train().classes());
        assertEquals(6, s.train().size());
        assertEquals(28, s.train().height());
        assertEquals(28, s.train().width());
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 1}, s.train().labels());
        // pure red has luma 0.299·255 = 76; white 255; black 0 — everywhere after resizing
        float[] red = s.train().image(0);
        float[] white = s.train().image(1);
        for (int i = 0; i < red.length; i++) {
            assertEquals(76 / 255f, red[i], 1e-6);
            assertEquals(1f, white[i], 1e-6);
        }
        assertArrayEquals(new int[] {0, 1}, s.test().labels());
        assertEquals(0f, s.test().image(1)[100], 1e-6);
        // --limit keeps both classes
        assertArrayEquals(new int[] {0, 1}, Datasets.load(dir.toString(), 2).train().labels());
    }

    @Test
    void anIdxDirectoryIsNotAnImageFolder() throws IOException {
        Files.createDirectories(dir.resolve("train"));
        assertFalse(ImageFolder.isImageFolder(dir));
    }

    @Test
    void aCorruptImageNamesTheFile() throws IOException {
        layout();
        Files.write(dir.resolve("train/coat/broken.png"), new byte[] {1, 2, 3, 4});
        DataFormatError e = assertThrows(DataFormatError.class,
                () -> ImageFolder.load(dir, 28));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    @Test
    void aTestClassMissingFromTrainIsAnError() throws IOException {
        layout();
        image("test/hat/h.png", 8, 8, Color.GRAY, "png");
        DataFormatError e = assertThrows(DataFormatError.class,
                () -> ImageFolder.load(dir, 28));
        assertTrue(e.getMessage().contains("\"hat\""), e.getMessage());
    }

    @Test
    void aMissingTestSplitIsAnError() throws IOException {
        image("train/a/x.png", 8, 8, Color.GRAY, "png");
        DataFormatError e = assertThrows(DataFormatError.class,
                () -> ImageFolder.load(dir, 28));
        assertTrue(e.getMessage().contains("test"), e.getMessage());
    }
}
