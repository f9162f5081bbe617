package io.github.selfsup4j.loss.contrastive;

import io.github.selfsup4j.numerics.Checks;

/**
 * The tiling options shared by {@link NtXentLoss} and {@link InfoNceLoss}: which implementation
 * ({@code impl}), the tile size ({@code tile_size}) and the memory budget of the dense matrices
 * ({@code memory_budget_mb}) under which {@code auto} stays dense. Validated once, here.
 */
public final class Tiling {

    /** The default tile size (measured: docs/BENCHMARKS.md). */
    public static final int DEFAULT_TILE = 512;

    /** The default memory budget of the dense matrices, MiB. */
    public static final double DEFAULT_BUDGET_MB = 1024;

    private final Implementation implementation;
    private final int tileSize;
    private final long budgetBytes;

    private Tiling(String owner, Builder<?> b) {
        if (b.implementation == null) {
            throw new IllegalArgumentException(owner + ": impl must be set");
        }
        this.implementation = b.implementation;
        this.tileSize = Checks.atLeast(owner, "tile_size", b.tileSize, 1);
        Checks.positive(owner, "memory_budget_mb", b.memoryBudgetMb);
        this.budgetBytes = (long) (b.memoryBudgetMb * 1024 * 1024);
    }

    /** The tile size. */
    public int tileSize() {
        return tileSize;
    }

    /**
     * Whether to tile logits of {@code rows × cols} elements of {@code bytesPerElement} bytes.
     */
    boolean tiles(long rows, long cols, int bytesPerElement) {
        return implementation.tiles(rows, cols, bytesPerElement, budgetBytes);
    }

    /**
     * The part of a loss's builder that sets the tiling options.
     *
     * @param <B> the concrete builder, returned by the setters
     */
    public abstract static class Builder<B extends Builder<B>> {
        private Implementation implementation = Implementation.AUTO;
        private int tileSize = DEFAULT_TILE;
        private double memoryBudgetMb = DEFAULT_BUDGET_MB;

        Builder() {}

        /** Dense, tiled, or chosen by the memory budget (default auto). */
        public B optImplementation(Implementation implementation) {
            this.implementation = implementation;
            return self();
        }

        /** Rows and columns per tile of the tiled implementation (default 512, measured). */
        public B optTileSize(int tileSize) {
            this.tileSize = tileSize;
            return self();
        }

        /** The memory the dense matrices may take before auto switches to tiles (1024 MiB). */
        public B optMemoryBudgetMb(double mb) {
            this.memoryBudgetMb = mb;
            return self();
        }

        /** This builder, typed. */
        protected abstract B self();

        /** The validated options, errors naming {@code owner}. */
        Tiling tiling(String owner) {
            return new Tiling(owner, this);
        }
    }
}
