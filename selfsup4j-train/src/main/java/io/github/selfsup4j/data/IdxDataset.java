package io.github.selfsup4j.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory with the four MNIST-format IDX files ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code
 * t10k-labels-idx1-ubyte}, each optionally {@code .gz}): Fashion-MNIST, MNIST, KMNIST...
 */
public final class IdxDataset {

    /** Fashion-MNIST's class names. */
    public static final String[] FASHION_CLASSES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };

    private IdxDataset() {}

    /** A train and a test split. */
    public record Splits(ImageDataset train, ImageDataset test) {}

    /** Whether {@code dir} holds the four IDX files. */
    public static boolean isIdxDirectory(Path dir) {
        return find(dir, "train-images-idx3-ubyte") != null;
    }

    /**
     * Loads both splits.
     *
     * @param dir the directory
     * @param classNames names of the classes, or null to name them by number
     * @return the splits
     * @throws DataFormatError when a file is missing or malformed, or images and labels disagree
     */
    public static Splits load(Path dir, String[] classNames) {
        return new Splits(split(dir, "train", classNames), split(dir, "t10k", classNames));
    }

    private static ImageDataset split(Path dir, String prefix, String[] classNames) {
        Path imagesFile = require(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = require(dir, prefix + "-labels-idx1-ubyte");
        IdxReader.Idx images = IdxReader.read(imagesFile, 3);
        IdxReader.Idx labels = IdxReader.read(labelsFile, 1);
        if (images.count() != labels.count()) {
            throw new DataFormatError(imagesFile + " holds " + images.count() + " images but "
                    + labelsFile + " holds " + labels.count() + " labels");
        }
        int[] l = new int[labels.count()];
        int max = 0;
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.data()[i] & 0xff;
            max = Math.max(max, l[i]);
        }
        String[] classes;
        if (classNames != null && max < classNames.length) {
            classes = classNames;
        } else {
            classes = new String[max + 1];
            for (int c = 0; c <= max; c++) {
                classes[c] = Integer.toString(c);
            }
        }
        return new ImageDataset(images.data(), l, images.dims()[1], images.dims()[2], classes);
    }

    private static Path require(Path dir, String base) {
        Path p = find(dir, base);
        if (p == null) {
            throw new DataFormatError(dir + ": missing " + base + " (or " + base + ".gz); an IDX"
                    + " data directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte,"
                    + " t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
        }
        return p;
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
