/** Data sets: the IDX reader with clear errors, and image data sets held as bytes. */
package io.github.selfsup4j.data;
