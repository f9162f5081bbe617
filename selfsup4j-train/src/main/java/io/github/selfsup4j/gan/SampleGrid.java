package io.github.selfsup4j.gan;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A PNG grid of greyscale images, each scaled 2× with a 2-pixel grey border. */
public final class SampleGrid {

    private static final int SCALE = 2;
    private static final int GAP = 2;

    private SampleGrid() {}

    /**
     * Writes n images (pixels in [−1, 1], n·side·side values) as a grid of ⌈√n⌉ columns.
     *
     * @param file the PNG file
     * @param pixels the images
     * @param n how many
     * @param side the images' side
     */
    public static void write(Path file, float[] pixels, int n, int side) throws IOException {
        if (n < 1 || pixels.length != n * side * side) {
            throw new IllegalArgumentException("sample grid: " + pixels.length + " pixels for "
                    + n + " images of " + side + "×" + side);
        }
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        int cell = side * SCALE + GAP;
        BufferedImage img = new BufferedImage(cols * cell + GAP, rows * cell + GAP,
                BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.GRAY);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
        for (int k = 0; k < n; k++) {
            int x0 = GAP + (k % cols) * cell;
            int y0 = GAP + (k / cols) * cell;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float v = pixels[k * side * side + y * side + x];
                    int level = io.github.selfsup4j.data.IdxWriter.level(v,
                            io.github.selfsup4j.data.IdxWriter.PixelRange.MINUS_ONE_ONE);
                    int rgb = level << 16 | level << 8 | level;
                    for (int dy = 0; dy < SCALE; dy++) {
                        for (int dx = 0; dx < SCALE; dx++) {
                            img.setRGB(x0 + x * SCALE + dx, y0 + y * SCALE + dy, rgb);
                        }
                    }
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
