package io.github.selfsup4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code selfsup4j} command line. */
@Command(
        name = "selfsup4j",
        mixinStandardHelpOptions = true,
        version = "selfsup4j 0.1.0",
        description = "Self-supervised, metric and adversarial learning on DJL.",
        subcommands = {TrainCommand.class, EvalCommand.class, LossCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }
}
