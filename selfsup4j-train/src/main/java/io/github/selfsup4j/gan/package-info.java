/**
 * The GAN job and its building blocks: {@link io.github.selfsup4j.gan.GanJob} (a job of the
 * training engine: generator, discriminator, two optimisers, generator moving average), DCGAN
 * generator and discriminator for 28×28 greyscale images, spectral normalisation of linear and
 * convolution layers, and sample quality: a scoring classifier, and metrics computed in plain
 * Java double precision on its features (Fréchet distance, kernel inception distance).
 */
package io.github.selfsup4j.gan;
