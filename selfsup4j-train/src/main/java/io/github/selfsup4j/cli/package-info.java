/** The picocli command line: {@code train}, {@code eval}, {@code loss} and {@code bench}. */
package io.github.selfsup4j.cli;
