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

    /** The pixels without the labels (what a self-supervised job trains on). */
    public Images images() {
        return new Images(pixels, size(), height, width);
    }

    /** The images at {@code indices}, in that order. */
    public ImageDataset select(int[] indices) {
        int s = imageSize();
        byte[] p = new byte[indices.length * s];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * s, p, i * s, s);
            l[i] = labels[indices[i]];
        }
        return new ImageDataset(p, l, height, width, classes);
    }

    /**
     * Splits off a seeded random validation set of {@code n} images: the pair (the rest, in their
     * original order; the validation images). Defaults are chosen on it, never on the test split.
     */
    public ImageDataset[] holdOut(int n, long seed) {
        if (n < 1 || n >= size()) {
            throw new IllegalArgumentException("--validation must be in [1, " + (size() - 1)
                    + "] (the training images), got " + n);
        }
        int[] order = ShuffleSampler.shuffle(size(),
                ShuffleSampler.mix(seed, -7, -7));
        int[] val = java.util.Arrays.copyOf(order, n);
        java.util.Arrays.sort(val);
        int[] rest = new int[size() - n];
        boolean[] held = new boolean[size()];
        for (int v : val) {
            held[v] = true;
        }
        for (int i = 0, r = 0; i < size(); i++) {
            if (!held[i]) {
                rest[r++] = i;
            }
        }
        return new ImageDataset[] {select(rest), select(val)};
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
