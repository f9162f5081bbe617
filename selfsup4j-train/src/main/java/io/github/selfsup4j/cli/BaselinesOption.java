package io.github.selfsup4j.cli;

import picocli.CommandLine.Option;

/** {@code --no-baselines} of the commands that evaluate beside baselines: a picocli mixin. */
final class BaselinesOption {

    @Option(names = "--no-baselines", description = "Skip the baselines in the evaluation.")
    boolean noBaselines;

    /** Whether to score the baselines too. */
    boolean wanted() {
        return !noBaselines;
    }
}
