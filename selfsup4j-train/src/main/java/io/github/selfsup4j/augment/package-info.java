/** Seeded view generation: augmentations in plain Java and background batch production. */
package io.github.selfsup4j.augment;
