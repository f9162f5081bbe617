package io.github.selfsup4j.supervised;

import io.github.selfsup4j.method.MethodOptions;
import io.github.selfsup4j.method.SslOptions;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A metric-learning method as the CLI registers it (the counterpart of {@link
 * io.github.selfsup4j.method.MethodSpec}): its name, its own options, the shared defaults it
 * changes, and how it is built.
 *
 * @param name the {@code --method} name
 * @param summary one line for the help
 * @param optionsClass the class of its own options
 * @param options a new instance of its options with their defaults
 * @param sharedDefaults the shared options' defaults it changes
 * @param factory builds the job
 * @param <O> its options type
 */
public record MetricSpec<O extends MethodOptions>(String name, String summary,
        Class<O> optionsClass, Supplier<O> options, Consumer<SslOptions> sharedDefaults,
        BiFunction<MetricSetup, O, MetricMethod> factory) {

    /** Builds the job from options of this spec. */
    public MetricMethod create(MetricSetup setup, MethodOptions o) {
        return factory.apply(setup, optionsClass.cast(o));
    }

    /** The shared options with the defaults of metric learning and of this method. */
    public SslOptions defaults() {
        SslOptions s = new SslOptions();
        MetricMethod.sharedDefaults(s);
        sharedDefaults.accept(s);
        return s;
    }
}
