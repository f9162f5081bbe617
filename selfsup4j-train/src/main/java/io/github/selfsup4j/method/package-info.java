/** Self-supervised methods: views to embeddings to a library loss. */
package io.github.selfsup4j.method;
