package io.github.selfsup4j.data;

/**
 * Greyscale images without their labels: what a self-supervised job is given to train on, so it
 * cannot read a label by accident.
 *
 * @param pixels row-major unsigned bytes, image i at {@code [i·H·W, (i+1)·H·W)}
 * @param size the number of images
 * @param height image height
 * @param width image width
 */
public record Images(byte[] pixels, int size, int height, int width) {

    /** Pixels per image. */
    public int imageSize() {
        return height * width;
    }
}
