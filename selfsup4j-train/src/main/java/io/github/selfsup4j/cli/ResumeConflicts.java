package io.github.selfsup4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The check every {@code --resume} makes: an option given on the command line that a resumed
 * run may not change must equal the run's value. One message names every one that differs.
 */
final class ResumeConflicts {

    private ResumeConflicts() {}

    /**
     * Compares the given options with the run's.
     *
     * @param resume the run directory (for the message)
     * @param given the resumed command line, parsed
     * @param saved a command line of the same command holding the run's options
     * @param mayChange the options a resume may change (not compared)
     * @param mayChangeText how the message lists them
     * @throws IllegalArgumentException naming each option that differs and the run's value
     */
    static void check(Path resume, CommandLine.ParseResult given, CommandLine saved,
            Predicate<String> mayChange, String mayChangeText) {
        List<String> conflicts = new ArrayList<>();
        for (OptionSpec o : given.matchedOptions()) {
            String name = o.longestName();
            if (mayChange.test(name)) {
                continue;
            }
            OptionSpec was = saved.getCommandSpec().findOption(name);
            Object value = o.getValue();
            Object before = was == null ? null : was.getValue();
            if (!Objects.equals(value, before)) {
                conflicts.add(name + " " + value + " (the run has " + before + ")");
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("--resume " + resume + ": "
                    + String.join(", ", conflicts) + " differ from the run; a resumed run keeps"
                    + " its configuration (only " + mayChangeText + " may change)");
        }
    }
}
