package io.github.selfsup4j.augment;

import java.util.SplittableRandom;

/**
 * Random views of greyscale images, in plain Java on {@code float[]}: random resized crop
 * (torchvision semantics) with bilinear resampling, horizontal flip, brightness and contrast
 * jitter, and optional Gaussian noise, followed by normalisation with the dataset's mean and
 * standard deviation.
 *
 * <p>Plain Java rather than NDArray ops: DJL's flip and jitter transforms throw on the PyTorch
 * engine, and per-image NDArray calls cost a JNI crossing each, while this code produces a view of
 * a 28×28 image in a few microseconds on a background thread, off the training step's critical
 * path. Every random choice comes from the {@link SplittableRandom} passed in, so views are
 * reproducible from a seed.
 */
public final class Augmenter {

    /**
     * The augmentation's parameters.
     *
     * @param cropMinScale smallest crop area as a fraction of the image (torchvision: 0.08)
     * @param cropMaxScale largest crop area fraction
     * @param flipProbability probability of a horizontal flip
     * @param jitterProbability probability of applying brightness/contrast jitter
     * @param brightness brightness factor drawn from [1 - b, 1 + b]
     * @param contrast contrast factor drawn from [1 - c, 1 + c]
     * @param noiseStd standard deviation of additive Gaussian noise (0: none)
     * @param mean the dataset's pixel mean, subtracted last
     * @param std the dataset's pixel standard deviation, divided by last
     */
    public record Config(
            double cropMinScale,
            double cropMaxScale,
            double flipProbability,
            double jitterProbability,
            double brightness,
            double contrast,
            double noiseStd,
            float mean,
            float std) {

        /** Defaults for Fashion-MNIST: crops of 20–100 % of the image, flips, mild jitter. */
        public static Config fashionMnist() {
            return new Config(0.2, 1.0, 0.5, 0.8, 0.4, 0.4, 0.0, 0.2860f, 0.3530f);
        }

        /** No augmentation: the normalised image (used for evaluation). */
        public static Config identity(float mean, float std) {
            return new Config(1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, mean, std);
        }
    }

    private final Config config;

    /** Creates an augmenter. */
    public Augmenter(Config config) {
        if (!(config.cropMinScale() > 0 && config.cropMinScale() <= config.cropMaxScale()
                && config.cropMaxScale() <= 1)) {
            throw new IllegalArgumentException("crop scales must satisfy 0 < min <= max <= 1, got ["
                    + config.cropMinScale() + ", " + config.cropMaxScale() + "]");
        }
        this.config = config;
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /**
     * Writes one random view of an image.
     *
     * @param src unsigned-byte pixels
     * @param srcOffset where the image starts in {@code src}
     * @param h image height
     * @param w image width
     * @param rng the random source
     * @param dst output, normalised floats
     * @param dstOffset where the view starts in {@code dst}
     */
    public void view(byte[] src, int srcOffset, int h, int w, SplittableRandom rng, float[] dst,
            int dstOffset) {
        // random resized crop: area fraction and log-uniform aspect ratio, 10 tries as
        // torchvision, then the whole image
        double cy = 0;
        double cx = 0;
        double ch = h;
        double cw = w;
        if (config.cropMinScale() < 1) {
            double area = (double) h * w;
            for (int attempt = 0; attempt < 10; attempt++) {
                double target = area * (config.cropMinScale()
                        + rng.nextDouble() * (config.cropMaxScale() - config.cropMinScale()));
                double logRatio = Math.log(3.0 / 4) + rng.nextDouble() * Math.log(16.0 / 9);
                double ratio = Math.exp(logRatio);
                double tw = Math.sqrt(target * ratio);
                double th = Math.sqrt(target / ratio);
                if (tw <= w && th <= h) {
                    cw = tw;
                    ch = th;
                    cy = rng.nextDouble() * (h - th);
                    cx = rng.nextDouble() * (w - tw);
                    break;
                }
            }
        }
        boolean flip = rng.nextDouble() < config.flipProbability();
        boolean jitter = rng.nextDouble() < config.jitterProbability();
        double b = jitter ? 1 + (rng.nextDouble() * 2 - 1) * config.brightness() : 1;
        double c = jitter ? 1 + (rng.nextDouble() * 2 - 1) * config.contrast() : 1;
        double sy = ch / h;
        double sx = cw / w;
        double sum = 0;
        for (int y = 0; y < h; y++) {
            // sample at pixel centres of the output grid mapped into the crop
            double fy = cy + (y + 0.5) * sy - 0.5;
            int y0 = (int) Math.floor(fy);
            double ay = fy - y0;
            int y0c = clamp(y0, h);
            int y1c = clamp(y0 + 1, h);
            for (int x = 0; x < w; x++) {
                int xo = flip ? w - 1 - x : x;
                double fx = cx + (xo + 0.5) * sx - 0.5;
                int x0 = (int) Math.floor(fx);
                double ax = fx - x0;
                int x0c = clamp(x0, w);
                int x1c = clamp(x0 + 1, w);
                double v00 = src[srcOffset + y0c * w + x0c] & 0xff;
                double v01 = src[srcOffset + y0c * w + x1c] & 0xff;
                double v10 = src[srcOffset + y1c * w + x0c] & 0xff;
                double v11 = src[srcOffset + y1c * w + x1c] & 0xff;
                double v = ((1 - ay) * ((1 - ax) * v00 + ax * v01) + ay * ((1 - ax) * v10
                        + ax * v11)) / 255.0 * b;
                dst[dstOffset + y * w + x] = (float) v;
                sum += v;
            }
        }
        double mean = sum / (h * w);
        float m = config.mean();
        float s = config.std();
        for (int i = 0; i < h * w; i++) {
            double v = (dst[dstOffset + i] - mean) * c + mean;
            if (config.noiseStd() > 0) {
                v += rng.nextGaussian() * config.noiseStd();
            }
            v = Math.min(1, Math.max(0, v));
            dst[dstOffset + i] = (float) ((v - m) / s);
        }
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : (i >= n ? n - 1 : i);
    }

    /** The normalised image without augmentation. */
    public static void plain(byte[] src, int srcOffset, int n, float mean, float std,
            float[] dst, int dstOffset) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = ((src[srcOffset + i] & 0xff) / 255f - mean) / std;
        }
    }
}
