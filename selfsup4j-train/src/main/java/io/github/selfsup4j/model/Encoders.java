package io.github.selfsup4j.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import java.util.Locale;

/**
 * The encoders and projection heads of the training jobs. Encoders map N×1×H×W images to N×F
 * features (the representation that is evaluated); heads map features to the embeddings the loss
 * sees.
 */
public final class Encoders {

    private Encoders() {}

    /** The encoder architectures. */
    public enum Architecture {
        /** A small CNN for 28×28 greyscale images that trains at a useful speed on 2 CPU cores. */
        SMALL_CNN,
        /** ResNet-18 with the CIFAR stem (3×3 stem convolution, no max-pool), for bigger machines. */
        RESNET18;

        /** Parses "small-cnn" or "resnet18" (also the JSON form). */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Architecture parse(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "small-cnn":
                case "small_cnn":
                    return SMALL_CNN;
                case "resnet18":
                case "resnet-18":
                    return RESNET18;
                default:
                    throw new IllegalArgumentException(
                            "encoder must be small-cnn or resnet18, got \"" + s + "\"");
            }
        }

        /** The CLI name (also its JSON form). */
        @com.fasterxml.jackson.annotation.JsonValue
        public String cliName() {
            return this == SMALL_CNN ? "small-cnn" : "resnet18";
        }
    }

    /**
     * The normalisation after each convolution and hidden linear layer. {@code BATCH} normalises
     * over the batch, across processes over the global batch (SyncBatchNorm: N ranks × B train
     * as one process × N·B); {@code RANK_BATCH} normalises over each rank's rows (cheaper; with
     * one process the same as {@code BATCH}); {@code LAYER} normalises each image (over channels
     * and positions, i.e. GroupNorm with one group) or each feature vector on its own.
     */
    public enum Norm {
        /** BatchNorm, synchronised across processes (default). */
        BATCH,
        /** BatchNorm over each process's own rows. */
        RANK_BATCH,
        /** Per-sample LayerNorm over all non-batch axes. */
        LAYER;

        /** Parses "batch", "rank-batch" or "layer". */
        public static Norm parse(String s) {
            for (Norm n : values()) {
                if (n.cliName().equals(s.toLowerCase(Locale.ROOT))) {
                    return n;
                }
            }
            throw new IllegalArgumentException(
                    "norm must be batch, rank-batch or layer, got \"" + s + "\"");
        }

        /** The CLI name. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** A normalisation block for inputs with {@code dims} axes (4: N×C×H×W, 2: N×F). */
        Block block(int dims) {
            if (this == BATCH) {
                // DJL's BatchNorm with one process, synchronised inside a BatchNormSync session
                return new io.github.selfsup4j.model.syncbn.BatchNorm();
            }
            if (this == RANK_BATCH) {
                return BatchNorm.builder().build();
            }
            return dims == 4 ? LayerNorm.builder().axis(1, 2, 3).build()
                    : LayerNorm.builder().axis(1).build();
        }
    }

    /**
     * The feature dimension of an encoder: the small CNN's 4·width channels times its pooling
     * grid's cells, 512 for ResNet-18.
     */
    public static int featureDim(Architecture a, int width, int poolGrid) {
        return a == Architecture.SMALL_CNN ? 4 * width * poolGrid * poolGrid : 512;
    }

    /**
     * Builds an encoder; {@code width} is the small CNN's first-layer channel count and
     * {@code poolGrid} the side of its output pooling grid (both ignored by ResNet-18).
     */
    public static Block encoder(Architecture a, int width, int poolGrid) {
        return encoder(a, width, poolGrid, Norm.BATCH);
    }

    /** {@link #encoder(Architecture, int, int)} with the given normalisation. */
    public static Block encoder(Architecture a, int width, int poolGrid, Norm norm) {
        return a == Architecture.SMALL_CNN ? smallCnn(width, poolGrid, norm) : resnet18(norm);
    }

    /**
     * A small CNN for 28×28 greyscale images: a stride-2 stem, then conv–BN–ReLU blocks at 14×14
     * (w channels), 7×7 (2w) and 4×4 (4w), and average pooling of the 4×4 map into a g×g grid:
     * 4w·g² features (g = 1 is global average pooling; the default g = 2 gives 512 at w = 32).
     *
     * <p>The stem downsamples at once because, measured on 2 CPU cores with PyTorch, convolutions
     * with few channels at 28×28 run at 1–20 GFLOP/s while those at 14×14 and below with 32–128
     * channels reach 60–300 GFLOP/s. The 2×2 grid keeps where in the image a feature fired
     * (sleeve, collar, heel), which global pooling throws away, at no extra compute: on the
     * validation split (5,000 held-out training images; SimCLR, 1 epoch, seeds 42–44) the grid
     * scored kNN 0.843 ± 0.012 / linear probe 0.875 ± 0.008 against 0.819 ± 0.013 / 0.827 ±
     * 0.008 for global pooling (128 features).
     */
    public static SequentialBlock smallCnn(int width, int poolGrid) {
        return smallCnn(width, poolGrid, Norm.BATCH);
    }

    /** {@link #smallCnn(int, int)} with the given normalisation. */
    public static SequentialBlock smallCnn(int width, int poolGrid, Norm norm) {
        SequentialBlock b = new SequentialBlock();
        convBnRelu(b, width, 2, norm);
        convBnRelu(b, width, 1, norm);
        convBnRelu(b, 2 * width, 2, norm);
        convBnRelu(b, 2 * width, 1, norm);
        convBnRelu(b, 4 * width, 2, norm);
        if (poolGrid == 1) {
            b.add(Pool.globalAvgPool2dBlock());
        } else {
            // 4×4 into g×g cells: kernel and stride 4/g (g divides 4)
            int k = 4 / poolGrid;
            b.add(Pool.avgPool2dBlock(new Shape(k, k), new Shape(k, k)))
                    .add(Blocks.batchFlattenBlock());
        }
        return b;
    }

    private static void convBnRelu(SequentialBlock b, int filters, int stride, Norm norm) {
        b.add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .optStride(new Shape(stride, stride))
                        .setFilters(filters)
                        .optBias(false)
                        .build())
                .add(norm.block(4))
                .add(Activation.reluBlock());
    }

    /** ResNet-18 with the CIFAR stem: 512 features. */
    public static SequentialBlock resnet18() {
        return resnet18(Norm.BATCH);
    }

    /** {@link #resnet18()} with the given normalisation. */
    public static SequentialBlock resnet18(Norm norm) {
        SequentialBlock b = new SequentialBlock();
        convBnRelu(b, 64, 1, norm);
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                b.add(residual(widths[stage], stride, stage > 0 && block == 0, norm));
            }
        }
        b.add(Pool.globalAvgPool2dBlock());
        return b;
    }

    private static Block residual(int filters, int stride, boolean project, Norm norm) {
        SequentialBlock main = new SequentialBlock();
        main.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                        .optStride(new Shape(stride, stride)).setFilters(filters).optBias(false)
                        .build())
                .add(norm.block(4))
                .add(Activation.reluBlock())
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                        .setFilters(filters).optBias(false).build())
                .add(norm.block(4));
        Block shortcut = project
                ? new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(1, 1))
                                .optStride(new Shape(stride, stride)).setFilters(filters)
                                .optBias(false).build())
                        .add(norm.block(4))
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ai.djl.nn.ParallelBlock(
                        list -> new ai.djl.ndarray.NDList(list.get(0).singletonOrThrow()
                                .add(list.get(1).singletonOrThrow())),
                        java.util.List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    /**
     * The projection head: Linear–BN–ReLU–Linear, as in SimCLR; {@code layers} = 3 adds a second
     * hidden layer (Barlow Twins, VICReg). With {@code batchNormLast} the output is batch-normed
     * without affine parameters (not used by default).
     */
    public static SequentialBlock projectionHead(int hidden, int out, int layers) {
        return projectionHead(hidden, out, layers, Norm.BATCH);
    }

    /** {@link #projectionHead(int, int, int)} with the given normalisation. */
    public static SequentialBlock projectionHead(int hidden, int out, int layers, Norm norm) {
        SequentialBlock b = new SequentialBlock();
        for (int i = 0; i < layers - 1; i++) {
            b.add(Linear.builder().setUnits(hidden).optBias(false).build())
                    .add(norm.block(2))
                    .add(Activation.reluBlock());
        }
        b.add(Linear.builder().setUnits(out).build());
        return b;
    }
}
