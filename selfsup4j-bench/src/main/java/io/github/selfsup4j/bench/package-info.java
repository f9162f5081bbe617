/** JMH benchmarks of the losses; whole training-like steps are timed by {@code bin/selfsup4j bench}. */
package io.github.selfsup4j.bench;
