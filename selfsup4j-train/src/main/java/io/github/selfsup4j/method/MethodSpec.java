package io.github.selfsup4j.method;

import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A self-supervised method as the CLI registers it: its name, its options (class and
 * defaults), the defaults it changes in the shared options, and how it is built.
 *
 * @param name the {@code --method} name
 * @param summary one line for the help
 * @param optionsClass the class of its own options
 * @param options a new instance of its options with their defaults
 * @param sharedDefaults the shared options' defaults it changes (may do nothing)
 * @param factory builds the method
 * @param <O> its options type
 */
public record MethodSpec<O extends MethodOptions>(String name, String summary,
        Class<O> optionsClass, Supplier<O> options, Consumer<SslOptions> sharedDefaults,
        BiFunction<SslSetup, O, SslMethod> factory) {

    /** Builds the method from options of this spec (checked by the caller). */
    public SslMethod create(SslSetup setup, MethodOptions o) {
        return factory.apply(setup, optionsClass.cast(o));
    }

    /** The shared options with this method's defaults. */
    public SslOptions defaults() {
        SslOptions s = new SslOptions();
        sharedDefaults.accept(s);
        return s;
    }
}
