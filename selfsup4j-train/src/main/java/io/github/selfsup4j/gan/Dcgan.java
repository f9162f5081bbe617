package io.github.selfsup4j.gan;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.NormalInitializer;

/**
 * DCGAN networks (Radford, Metz, Chintala 2016) for 28×28 greyscale images, parameterised by
 * width w.
 *
 * <p>Generator, z (N×latent) ↦ N×1×28×28 in [−1, 1]: project and reshape to 2w×7×7 (linear
 * without bias, BatchNorm, ReLU), a 4×4 stride-2 transposed convolution to w×14×14 (BatchNorm,
 * ReLU), a 4×4 stride-2 transposed convolution to 1×28×28, tanh. The transposed convolutions
 * are {@link TransposedConv2d} (DJL's {@code Conv2dTranspose} is not implemented on PyTorch).
 *
 * <p>Discriminator (or WGAN critic), N×1×28×28 ↦ N×1 scores (logits): a 4×4 stride-2 convolution
 * to w×14×14, LeakyReLU(0.2), a 4×4 stride-2 convolution to 2w×7×7, optional BatchNorm,
 * LeakyReLU(0.2), flatten, linear to 1. BatchNorm is on by default as in DCGAN (never on the
 * first layer); a WGAN-GP critic must go without it, since the gradient penalty is per sample
 * and BatchNorm couples the samples of a batch (Gulrajani et al. 2017). With spectral
 * normalisation every convolution and the linear layer are wrapped in {@link SpectralNorm}.
 *
 * <p>Every weight is drawn from N(0, 0.02), as in DCGAN (biases 0, BatchNorm scales 1). It
 * matters: on the validation split (50,000 training images to train on, the other 10,000 as the
 * Fréchet reference) the default run scored a Fréchet distance of 3.55 with it and 5.75 with
 * DJL's default initialisation; a PyTorch DCGAN given the same time scored 4.81.
 *
 * <p>Keep widths at 16 or more: PyTorch 2.7.1's CPU convolution backward with 8 channels can
 * read unwritten memory (see DEVELOPERS.md).
 */
public final class Dcgan {

    private Dcgan() {}

    /** The DCGAN recipe's weight initialisation, N(0, 0.02). */
    private static NormalInitializer dcganInit() {
        return new NormalInitializer(0.02f);
    }

    /** A generator builder; {@link GeneratorBuilder#setLatentDim} is required. */
    public static GeneratorBuilder generator() {
        return new GeneratorBuilder();
    }

    /** A discriminator builder with the defaults (width 64, BatchNorm, no spectral norm). */
    public static DiscriminatorBuilder discriminator() {
        return new DiscriminatorBuilder();
    }

    private static void checkWidth(String net, int width) {
        if (width < 1) {
            throw new IllegalArgumentException(net + ": width must be >= 1, got " + width);
        }
    }

    /** Builds the DCGAN generator. */
    public static final class GeneratorBuilder {
        private int latentDim;
        private int width = 64;

        private GeneratorBuilder() {}

        /** The dimension of z (required, >= 1). */
        public GeneratorBuilder setLatentDim(int latentDim) {
            this.latentDim = latentDim;
            return this;
        }

        /** The channels at 14×14; 7×7 has twice as many (default 64). */
        public GeneratorBuilder optWidth(int width) {
            this.width = width;
            return this;
        }

        /** Checks the options and builds the generator. */
        public SequentialBlock build() {
            if (latentDim < 1) {
                throw new IllegalArgumentException("generator: latent_dim must be >= 1, got "
                        + latentDim);
            }
            checkWidth("generator", width);
            int c7 = 2 * width;
            SequentialBlock g = new SequentialBlock();
            g.add(Linear.builder().setUnits((long) c7 * 7 * 7).optBias(false).build())
                    .add(LambdaBlock.singleton(z -> z.reshape(-1, c7, 7, 7), "reshape"))
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(upsample(width, false))
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(upsample(1, true))
                    .add(Activation.tanhBlock());
            g.setInitializer(dcganInit(), Parameter.Type.WEIGHT);
            return g;
        }

        /** 4×4 stride-2 transposed convolution with padding 1: doubles the side. */
        private static Block upsample(int filters, boolean bias) {
            return TransposedConv2d.builder().setKernel(4).optStride(2).optPadding(1)
                    .setFilters(filters).optBias(bias).build();
        }
    }

    /** Builds the DCGAN discriminator or WGAN critic. */
    public static final class DiscriminatorBuilder {
        private int width = 64;
        private boolean batchNorm = true;
        private boolean spectralNorm;
        private long seed;

        private DiscriminatorBuilder() {}

        /** The channels at 14×14; 7×7 has twice as many (default 64). */
        public DiscriminatorBuilder optWidth(int width) {
            this.width = width;
            return this;
        }

        /** BatchNorm after the second convolution (default true; false for a WGAN-GP critic). */
        public DiscriminatorBuilder optBatchNorm(boolean batchNorm) {
            this.batchNorm = batchNorm;
            return this;
        }

        /** Spectral normalisation of every convolution and the linear layer (default false). */
        public DiscriminatorBuilder optSpectralNorm(boolean spectralNorm) {
            this.spectralNorm = spectralNorm;
            return this;
        }

        /** The seed of the spectral norms' initial vectors (layer i uses seed + 2i). */
        public DiscriminatorBuilder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Checks the options and builds the discriminator. */
        public SequentialBlock build() {
            checkWidth("discriminator", width);
            SequentialBlock d = new SequentialBlock();
            d.add(normed(downsample(width, true), 0))
                    .add(Activation.leakyReluBlock(0.2f))
                    .add(normed(downsample(2 * width, !batchNorm), 1));
            if (batchNorm) {
                d.add(BatchNorm.builder().build());
            }
            d.add(Activation.leakyReluBlock(0.2f))
                    .add(Blocks.batchFlattenBlock())
                    .add(normed(Linear.builder().setUnits(1).build(), 2));
            d.setInitializer(dcganInit(), Parameter.Type.WEIGHT);
            return d;
        }

        private Block normed(Block layer, int index) {
            return spectralNorm
                    ? SpectralNorm.builder().setLayer(layer).optSeed(seed + 2L * index).build()
                    : layer;
        }

        /** 4×4 stride-2 convolution with padding 1: halves the side. */
        private static Block downsample(int filters, boolean bias) {
            return Conv2d.builder().setKernelShape(new Shape(4, 4)).optStride(new Shape(2, 2))
                    .optPadding(new Shape(1, 1)).setFilters(filters).optBias(bias).build();
        }
    }
}
