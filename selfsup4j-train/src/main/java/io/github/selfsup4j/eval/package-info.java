/** Evaluation of frozen encoders: features, weighted kNN, linear probe. */
package io.github.selfsup4j.eval;
