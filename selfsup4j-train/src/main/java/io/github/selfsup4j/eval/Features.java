package io.github.selfsup4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.github.selfsup4j.augment.Augmenter;
import io.github.selfsup4j.data.ImageDataset;

/** Frozen features of an encoder (evaluation mode: BatchNorm uses its running statistics). */
public final class Features {

    private Features() {}

    /**
     * Encodes every image.
     *
     * @param encoder the encoder
     * @param data the images
     * @param mean pixel mean for normalisation
     * @param std pixel standard deviation
     * @param batch images per forward pass
     * @param manager a manager on the encoder's device
     * @return N×F features, row-major
     */
    public static float[][] extract(Block encoder, ImageDataset data, float mean, float std,
            int batch, NDManager manager) {
        int n = data.size();
        int hw = data.imageSize();
        float[][] out = new float[n][];
        ParameterStore ps = new ParameterStore(manager, false);
        for (int start = 0; start < n; start += batch) {
            int len = Math.min(batch, n - start);
            float[] px = new float[len * hw];
            for (int i = 0; i < len; i++) {
                Augmenter.plain(data.pixels(), (start + i) * hw, hw, mean, std, px, i * hw);
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(px, new Shape(len, 1, data.height(), data.width()));
                NDArray f = encoder.forward(ps, new NDList(x), false).singletonOrThrow();
                int dim = (int) f.getShape().get(1);
                float[] flat = f.toFloatArray();
                for (int i = 0; i < len; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                }
            }
        }
        return out;
    }

    /** The raw pixels in [0, 1] as features (the pixel baseline). */
    public static float[][] pixels(ImageDataset data) {
        float[][] out = new float[data.size()][];
        for (int i = 0; i < data.size(); i++) {
            out[i] = data.image(i);
        }
        return out;
    }
}
