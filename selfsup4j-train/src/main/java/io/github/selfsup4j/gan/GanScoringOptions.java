package io.github.selfsup4j.gan;

import io.github.selfsup4j.method.Check;
import io.github.selfsup4j.method.RunOptions;
import picocli.CommandLine.Option;

/**
 * The options that decide how generated images are scored, declared once: the scoring
 * classifier (trained once and cached, keyed by data, limit, seed and its epochs) and the sample
 * counts of the Fréchet distance and KID. {@code selfsup4j gan score} takes these alone;
 * {@link GanOptions} adds the training options.
 */
public class GanScoringOptions extends RunOptions {

    /** The defaults, with one compute thread (measured faster than 2 for these networks). */
    public GanScoringOptions() {
        threads = 1;
    }

    @Option(names = "--eval-samples", description = "Generated (and real) images per score"
            + " (default ${DEFAULT-VALUE}, at most the test split).")
    public int evalSamples = 10000;

    @Option(names = "--kid-subsets", description = "KID subsets of 1000 (default"
            + " ${DEFAULT-VALUE}).")
    public int kidSubsets = 10;

    @Option(names = "--classifier-epochs", description = "Epochs of the scoring classifier"
            + " (trained once, cached; default ${DEFAULT-VALUE}).")
    public int classifierEpochs = 2;

    /** Checks these options; the message names the option and its value. */
    @Override
    public void validate() {
        Check.atLeast("--eval-samples", evalSamples, 2);
        Check.atLeast("--kid-subsets", kidSubsets, 1);
        Check.atLeast("--classifier-epochs", classifierEpochs, 1);
        super.validate();
    }
}
