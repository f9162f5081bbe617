/**
 * Adversarial losses: {@link io.github.selfsup4j.loss.adversarial.GanBceLoss}, {@link
 * io.github.selfsup4j.loss.adversarial.WganLoss} with the WGAN-GP {@link
 * io.github.selfsup4j.loss.adversarial.GradientPenalty}, and {@link
 * io.github.selfsup4j.loss.adversarial.HingeGanLoss}.
 */
package io.github.selfsup4j.loss.adversarial;
