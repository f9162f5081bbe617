package io.github.selfsup4j.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An image-folder dataset (as torchvision's {@code ImageFolder}): {@code DIR/train/<class>/*} and
 * {@code DIR/test/<class>/*} hold PNG, JPEG, GIF or BMP files, one sub-folder per class. Classes
 * are the train split's sub-folders in name order (a test class must be one of them). Every image
 * is converted to greyscale (ITU-R BT.601 luma) and resized bilinearly to {@code size × size}, so
 * the encoders built for 28×28 inputs apply unchanged. Images are ordered class by class in
 * turn, so the first n (as {@code --limit} takes) cover every class.
 */
public final class ImageFolder {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".gif",
            ".bmp");

    private ImageFolder() {}

    /** Whether {@code dir} looks like an image folder: a {@code train} directory of classes. */
    public static boolean isImageFolder(Path dir) {
        Path train = dir.resolve("train");
        if (!Files.isDirectory(train)) {
            return false;
        }
        try (Stream<Path> s = Files.list(train)) {
            return s.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Loads both splits.
     *
     * @param dir the folder holding {@code train/} and {@code test/}
     * @param size the side images are resized to
     * @return the splits
     * @throws DataFormatError naming the file or folder that is missing, empty or unreadable
     */
    public static IdxDataset.Splits load(Path dir, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("image size must be >= 1, got " + size);
        }
        List<String> classes = classes(dir.resolve("train"));
        if (classes.isEmpty()) {
            throw new DataFormatError(dir.resolve("train") + ": no class sub-folders");
        }
        if (!Files.isDirectory(dir.resolve("test"))) {
            throw new DataFormatError(dir.resolve("test") + ": missing (an image folder needs"
                    + " train/ and test/, each with one sub-folder per class)");
        }
        for (String c : classes(dir.resolve("test"))) {
            if (!classes.contains(c)) {
                throw new DataFormatError(dir.resolve("test").resolve(c) + ": class \"" + c
                        + "\" is not among the train split's classes " + classes);
            }
        }
        String[] names = classes.toArray(new String[0]);
        return new IdxDataset.Splits(split(dir.resolve("train"), names, size),
                split(dir.resolve("test"), names, size));
    }

    private static List<String> classes(Path split) {
        try (Stream<Path> s = Files.list(split)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .toList();
        } catch (IOException e) {
            throw new DataFormatError(split + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private static ImageDataset split(Path split, String[] classes, int size) {
        List<List<Path>> perClass = new ArrayList<>();
        for (String c : classes) {
            Path folder = split.resolve(c);
            if (!Files.isDirectory(folder)) {
                perClass.add(List.of());
                continue;
            }
            try (Stream<Path> s = Files.list(folder)) {
                perClass.add(s.filter(ImageFolder::isImage).sorted().toList());
            } catch (IOException e) {
                throw new DataFormatError(folder + ": cannot list (" + e.getMessage() + ")", e);
            }
        }
        // classes interleaved (the i-th image of each class in turn), so that the first n images
        // (--limit) cover every class, without a random choice
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; ; i++) {
            boolean any = false;
            for (int c = 0; c < classes.length; c++) {
                if (i < perClass.get(c).size()) {
                    files.add(perClass.get(c).get(i));
                    labels.add(c);
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        if (files.isEmpty()) {
            throw new DataFormatError(split + ": no images (looked for " + EXTENSIONS
                    + " files in its class sub-folders)");
        }
        byte[] pixels = new byte[files.size() * size * size];
        int[] y = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            greyscale(read(files.get(i)), size, pixels, i * size * size);
            y[i] = labels.get(i);
        }
        return new ImageDataset(pixels, y, size, size, classes);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    private static BufferedImage read(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new DataFormatError(f + ": not a readable image (no decoder recognised it)");
            }
            return img;
        } catch (IOException e) {
            throw new DataFormatError(f + ": cannot read image (" + e.getMessage() + ")", e);
        }
    }

    /** Writes the image as size×size greyscale bytes at {@code offset}. */
    static void greyscale(BufferedImage img, int size, byte[] out, int offset) {
        BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, size, size, null);
        g.dispose();
        for (int yy = 0; yy < size; yy++) {
            for (int xx = 0; xx < size; xx++) {
                int rgb = scaled.getRGB(xx, yy);
                double luma = 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff)
                        + 0.114 * (rgb & 0xff);
                out[offset + yy * size + xx] = (byte) Math.min(255, Math.round(luma));
            }
        }
    }
}
