package io.github.selfsup4j.augment;

import java.util.List;

/**
 * How each image of a batch becomes views: one {@link Augmenter} per view slot (SimCLR: twice
 * the same recipe; BYOL: two asymmetric ones; metric learning: one light view), each applied
 * {@code pairs} times per image. Every view of a slot has the slot's size, so slots may differ
 * (multi-crop).
 *
 * @param slots the augmentation of each view slot
 * @param pairs view groups per image (P ≥ 1)
 */
public record ViewRecipe(List<Augmenter> slots, int pairs) {

    /** Checks the recipe. */
    public ViewRecipe {
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("view recipe: at least one view slot");
        }
        if (pairs < 1) {
            throw new IllegalArgumentException("--pairs-per-sample must be >= 1, got " + pairs);
        }
        slots = List.copyOf(slots);
    }

    /** {@code views} slots of the same augmentation, one group per image. */
    public static ViewRecipe repeat(Augmenter augmenter, int views) {
        return new ViewRecipe(java.util.Collections.nCopies(views, augmenter), 1);
    }
}
