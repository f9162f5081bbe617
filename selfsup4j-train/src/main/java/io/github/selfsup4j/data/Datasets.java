package io.github.selfsup4j.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and loads the data of a run: the embedded Fashion-MNIST or a directory given by the user. */
public final class Datasets {

    /** The side image-folder images are resized to: the encoders are built for 28×28. */
    public static final int IMAGE_FOLDER_SIZE = 28;

    private Datasets() {}

    /** The project's home (the launcher passes it as {@code -Dselfsup4j.home}). */
    public static Path home() {
        String h = System.getProperty("selfsup4j.home");
        return h != null ? Path.of(h) : Path.of(".").toAbsolutePath().normalize();
    }

    /** The embedded Fashion-MNIST directory. */
    public static Path embedded() {
        return home().resolve("data").resolve("fashion-mnist");
    }

    /**
     * Loads the train and test splits of a data directory (the four IDX files, or an image
     * folder with {@code train/<class>/} and {@code test/<class>/}: see {@link ImageFolder}), or
     * the embedded Fashion-MNIST when {@code dir} is null.
     *
     * @param dir the directory, or null
     * @param limit keep at most this many images per split (0: all)
     * @return the splits
     */
    public static IdxDataset.Splits load(String dir, int limit) {
        Path d = dir == null ? embedded() : Path.of(dir);
        if (!Files.isDirectory(d)) {
            throw new DataFormatError(d + ": no such data directory"
                    + (dir == null ? " (the embedded Fashion-MNIST is missing from this checkout)"
                            : ""));
        }
        IdxDataset.Splits s = dir != null && ImageFolder.isImageFolder(d)
                ? ImageFolder.load(d, IMAGE_FOLDER_SIZE)
                : IdxDataset.load(d, dir == null ? IdxDataset.FASHION_CLASSES : null);
        if (limit > 0) {
            s = new IdxDataset.Splits(s.train().head(limit), s.test().head(limit));
        }
        return s;
    }
}
