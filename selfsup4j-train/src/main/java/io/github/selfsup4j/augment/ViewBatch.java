package io.github.selfsup4j.augment;

import java.util.List;

/**
 * One batch of augmented views of unlabelled images: what a self-supervised job trains on. It
 * has no labels, by construction: a job that takes this type cannot read one.
 *
 * @param index the batch's index in its epoch
 * @param images the indices of the batch's images (this rank's part)
 * @param pairs view groups per image (P): row {@code s·P + p} of each view is group p of image s
 * @param views the views, in the order of the job's {@link ViewRecipe}
 */
public record ViewBatch(int index, int[] images, int pairs, List<View> views) {

    /**
     * One view of every image of the batch.
     *
     * @param pixels {@code rows × height × width} normalised floats
     * @param height view height
     * @param width view width
     */
    public record View(float[] pixels, int height, int width) {
        /** The number of rows (images × pairs). */
        public int rows() {
            return pixels.length / (height * width);
        }
    }

    /** View {@code i}. */
    public View view(int i) {
        return views.get(i);
    }

    /** The number of images. */
    public int size() {
        return images.length;
    }
}
