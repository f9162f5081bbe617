/**
 * The loss library's base types: {@link io.github.selfsup4j.loss.SelfSupLoss} (a DJL loss that is
 * also a function on named arrays), its inputs and outputs, and the {@link
 * io.github.selfsup4j.loss.registry.LossRegistry} that maps the JSON names and snake_case options to
 * builders. The losses themselves live in sub-packages by family.
 */
package io.github.selfsup4j.loss;
