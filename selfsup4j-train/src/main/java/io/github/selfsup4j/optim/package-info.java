/** Optimisers with checkpointable state (LARS, Adam, SGD) and the warm-up + cosine schedule. */
package io.github.selfsup4j.optim;
