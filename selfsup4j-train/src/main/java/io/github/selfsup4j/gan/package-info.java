/**
 * Building blocks of the GAN job: DCGAN generator and discriminator for 28×28 greyscale images,
 * spectral normalisation of linear and convolution layers, and sample-quality metrics computed
 * in plain Java double precision on feature sets (Fréchet distance, kernel inception distance).
 */
package io.github.selfsup4j.gan;
