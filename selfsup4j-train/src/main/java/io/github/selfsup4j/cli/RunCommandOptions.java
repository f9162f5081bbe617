package io.github.selfsup4j.cli;

import io.github.selfsup4j.method.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every training command ({@code train} of both kinds, {@code gan}) that are not
 * part of a run's configuration, each declared once with its description and check: where run
 * directories go, the run to resume, the progress bar. A picocli mixin.
 */
final class RunCommandOptions {

    @Option(names = "--runs-dir", description = "Where run directories go (default: runs; gan"
            + " also caches its scoring classifier there).")
    Path runsDir = Path.of("runs");

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in"
            + " RUN_DIR from its checkpoint. --epochs may extend it (a learning-rate schedule goes"
            + " on from where it was and decays to 0 at the new end), train's --lr lowers or raises"
            + " the rest of its schedule; other options must match the run's.")
    Path resume;

    @Option(names = "--no-progress", description = "No progress bar (summary lines only).")
    boolean noProgress;

    /** Checks --runs-dir (a new run's); the message names the option and its value. */
    void checkRunsDir() {
        Check.require(!runsDir.toString().isEmpty() && !Files.isRegularFile(runsDir),
                "--runs-dir", runsDir, "must name a directory");
    }

    /** Whether to draw a progress bar: not turned off, and a terminal to draw it on. */
    boolean progress() {
        return !noProgress && System.console() != null;
    }
}
