/** The training run: configuration, the loop, checkpoints and stop handling. */
package io.github.selfsup4j.train;
