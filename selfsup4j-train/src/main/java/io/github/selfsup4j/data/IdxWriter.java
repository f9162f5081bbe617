package io.github.selfsup4j.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files (the MNIST format, read back by {@link IdxReader}): unsigned-byte images
 * (N×H×W, default 28×28) from float pixels, and unsigned-byte labels. A name ending in {@code
 * .gz} is gzip-compressed. The file is written to a temporary sibling and renamed, so a reader
 * never sees half a file.
 *
 * <p>Pixels map to bytes by rounding to the nearest of 256 levels: in {@link
 * PixelRange#ZERO_ONE} v ↦ round(255·v), in {@link PixelRange#MINUS_ONE_ONE} (a tanh generator's
 * output) v ↦ round(255·(v + 1)/2). Values outside the range are clamped to it; NaN is an error.
 */
public final class IdxWriter {

    /** The range float pixels are given in. */
    public enum PixelRange {
        /** [0, 1]: 0 is black (byte 0), 1 is white (byte 255). */
        ZERO_ONE,
        /** [−1, 1]: −1 is byte 0, 1 is byte 255 (the output of a tanh). */
        MINUS_ONE_ONE
    }

    private static final int UNSIGNED_BYTE = 0x08;

    private IdxWriter() {}

    /**
     * Writes N images of 28×28 pixels.
     *
     * @param file the file to write ({@code .gz}: compressed)
     * @param pixels N·28·28 values, image after image, row after row
     * @param range the range the pixels are in
     */
    public static void writeImages(Path file, float[] pixels, PixelRange range)
            throws IOException {
        writeImages(file, pixels, 28, 28, range);
    }

    /**
     * Writes N images of height×width pixels.
     *
     * @param file the file to write ({@code .gz}: compressed)
     * @param pixels N·height·width values, image after image, row after row
     * @param height image height
     * @param width image width
     * @param range the range the pixels are in
     */
    public static void writeImages(Path file, float[] pixels, int height, int width,
            PixelRange range) throws IOException {
        if (pixels == null) {
            throw new IllegalArgumentException("pixels must not be null");
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("height and width must be positive, got "
                    + height + "×" + width);
        }
        if (range == null) {
            throw new IllegalArgumentException("range must be set");
        }
        int size = height * width;
        if (pixels.length == 0 || pixels.length % size != 0) {
            throw new IllegalArgumentException("pixels has " + pixels.length
                    + " values, not a positive multiple of " + height + "×" + width + " = "
                    + size);
        }
        byte[] data = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            data[i] = toByte(pixels[i], range, i);
        }
        write(file, new int[] {pixels.length / size, height, width}, data);
    }

    /** Writes N labels in [0, 255] as a 1-dimensional IDX file. */
    public static void writeLabels(Path file, int[] labels) throws IOException {
        if (labels == null || labels.length == 0) {
            throw new IllegalArgumentException("labels must not be empty");
        }
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i]
                        + " (must be in [0, 255])");
            }
            data[i] = (byte) labels[i];
        }
        write(file, new int[] {labels.length}, data);
    }

    /** The byte of pixel value {@code v} in {@code range} (clamped, rounded to nearest). */
    public static int level(float v, PixelRange range) {
        return toByte(v, range, 0) & 0xff;
    }

    private static byte toByte(float v, PixelRange range, int index) {
        if (Float.isNaN(v)) {
            throw new IllegalArgumentException("pixels[" + index + "] is NaN");
        }
        double unit = range == PixelRange.ZERO_ONE ? v : (v + 1.0) / 2.0;
        long level = Math.round(255.0 * Math.min(Math.max(unit, 0.0), 1.0));
        return (byte) level;
    }

    /** Writes an unsigned-byte IDX file with the given dimensions and payload. */
    static void write(Path file, int[] dims, byte[] data) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = parent.resolve(file.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp);
                OutputStream buffered = new BufferedOutputStream(
                        file.getFileName().toString().endsWith(".gz")
                                ? new GZIPOutputStream(raw, 1 << 16) : raw, 1 << 16);
                DataOutputStream out = new DataOutputStream(buffered)) {
            out.writeShort(0);
            out.writeByte(UNSIGNED_BYTE);
            out.writeByte(dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
