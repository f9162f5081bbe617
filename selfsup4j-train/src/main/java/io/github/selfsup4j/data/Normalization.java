package io.github.selfsup4j.data;

/**
 * A data set's pixel mean and standard deviation (pixels scaled to [0, 1]), subtracted and
 * divided by before images enter a network. Computed from the images a run trains on (never from
 * the split it is scored on), so it belongs to the data, not to a method.
 *
 * @param mean the pixel mean
 * @param std the pixel standard deviation
 */
public record Normalization(float mean, float std) {

    /** The statistics of a set of images, computed in double precision. */
    public static Normalization of(Images images) {
        long[] histogram = new long[256];
        for (byte b : images.pixels()) {
            histogram[b & 0xff]++;
        }
        double n = 0;
        double sum = 0;
        double sq = 0;
        for (int v = 0; v < 256; v++) {
            double x = v / 255.0;
            n += histogram[v];
            sum += histogram[v] * x;
            sq += histogram[v] * x * x;
        }
        if (n == 0) {
            throw new IllegalArgumentException("normalization: no pixels");
        }
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        return new Normalization((float) mean, (float) (std > 0 ? std : 1));
    }
}
