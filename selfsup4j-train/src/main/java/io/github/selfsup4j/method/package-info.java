/**
 * Self-supervised methods as jobs of the training engine: each method is one class that owns its
 * networks, its options (a picocli mixin whose loss defaults come from the loss builders) and
 * how views become a loss; {@link io.github.selfsup4j.method.SslMethod} does the rest. A method
 * sees {@link io.github.selfsup4j.augment.ViewBatch}es, which have no labels.
 */
package io.github.selfsup4j.method;
