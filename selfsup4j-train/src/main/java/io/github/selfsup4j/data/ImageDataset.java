package io.github.selfsup4j.data;

/**
 * Greyscale images with integer labels, held as unsigned bytes (N × H × W), which keeps
 * Fashion-MNIST's 70,000 images in 55 MB.
 *
 * @param pixels row-major unsigned bytes, image i at {@code [i·H·W, (i+1)·H·W)}
 * @param labels the class of each image
 * @param height image height
 * @param width image width
 * @param classes class names, indexed by label
 */
public record ImageDataset(byte[] pixels, int[] labels, int height, int width, String[] classes) {

    /** The number of images. */
    public int size() {
        return labels.length;
    }

    /** Pixels per image. */
    public int imageSize() {
        return height * width;
    }

    /** The number of classes. */
    public int numClasses() {
        return classes.length;
    }

    /** The first {@code n} images (for quick runs and tests). */
    public ImageDataset head(int n) {
        if (n >= size()) {
            return this;
        }
        byte[] p = java.util.Arrays.copyOf(pixels, n * imageSize());
        int[] l = java.util.Arrays.copyOf(labels, n);
        return new ImageDataset(p, l, height, width, classes);
    }

    /** Image {@code i} as floats in [0, 1]. */
    public float[] image(int i) {
        int s = imageSize();
        float[] out = new float[s];
        for (int j = 0; j < s; j++) {
            out[j] = (pixels[i * s + j] & 0xff) / 255f;
        }
        return out;
    }
}
