/**
 * The classic supervised losses, defined as PyTorch defines them: {@link
 * io.github.selfsup4j.loss.classic.MseLoss}, {@link
 * io.github.selfsup4j.loss.classic.CrossEntropyLoss}, {@link
 * io.github.selfsup4j.loss.classic.NllLoss} and {@link io.github.selfsup4j.loss.classic.HingeLoss}.
 */
package io.github.selfsup4j.loss.classic;
