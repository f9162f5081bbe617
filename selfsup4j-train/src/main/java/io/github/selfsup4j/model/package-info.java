/** Encoders (small CNN, ResNet-18 with CIFAR stem) and projection heads. */
package io.github.selfsup4j.model;
