/**
 * Numerics that several losses share: argument checks with clear messages, dtype promotion that
 * keeps the autograd graph, stable log-sum-exp and softplus, safe normalisation, masks and
 * off-diagonal helpers.
 */
package io.github.selfsup4j.numerics;
