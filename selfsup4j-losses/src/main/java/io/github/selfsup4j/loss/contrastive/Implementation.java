package io.github.selfsup4j.loss.contrastive;

import java.util.Locale;

/**
 * How {@link NtXentLoss} and {@link InfoNceLoss} compute: the dense similarity matrix, or tiles
 * with memory linear in the batch ({@link TiledSoftmax}); {@code AUTO} picks tiles when the dense
 * matrices would exceed the memory budget.
 */
public enum Implementation {
    /** Tiled when the dense matrices would not fit the memory budget (default). */
    AUTO,
    /** Always the dense N×N matrix. */
    DENSE,
    /** Always tiles. */
    TILED;

    /** Parses "auto", "dense" or "tiled". */
    public static Implementation parse(String owner, String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(owner + ": impl must be \"auto\", \"dense\" or"
                    + " \"tiled\", got \"" + s + "\"", e);
        }
    }

    /**
     * Whether to tile, given the dense logits' size.
     *
     * @param rows logit rows
     * @param cols logit columns
     * @param bytesPerElement 4 for float32, 8 for float64
     * @param budgetBytes the memory budget
     */
    public boolean tiles(long rows, long cols, int bytesPerElement, long budgetBytes) {
        if (this != AUTO) {
            return this == TILED;
        }
        // the dense path keeps about four rows×cols arrays alive (logits, masked logits,
        // their exponentials and the logits' gradient)
        return 4.0 * rows * cols * bytesPerElement > budgetBytes;
    }
}
