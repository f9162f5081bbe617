/** What a run leaves behind: the atomic checkpoint, PNG plots, metrics. */
package io.github.selfsup4j.report;
