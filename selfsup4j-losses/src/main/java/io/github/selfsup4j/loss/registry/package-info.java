/**
 * The registry that maps the JSON names and snake_case options of every loss and miner to their
 * builders (the {@code loss} command's vocabulary). It sits above the loss families so that the
 * base package {@code loss} imports none of them: no package cycle.
 */
package io.github.selfsup4j.loss.registry;
