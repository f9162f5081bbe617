package io.github.selfsup4j.method;

/**
 * A method's own options: a picocli mixin (each option declared once, with its description and
 * default, the loss options' defaults read from the loss builders) that is also the JSON of the
 * run's configuration.
 */
public interface MethodOptions {

    /** Checks every option; the message names the option and its value. */
    void validate();

    /** Options of a method that has none. */
    final class None implements MethodOptions {
        @Override
        public void validate() {}
    }
}
