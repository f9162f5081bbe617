package io.github.selfsup4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code selfsup4j} command line. */
@Command(
        name = "selfsup4j",
        mixinStandardHelpOptions = true,
        version = "selfsup4j 0.1.0",
        description = "Self-supervised, metric and adversarial learning on DJL.",
        subcommands = {EvalCommand.class, EmbedCommand.class, LossCommand.class, BenchCommand.class, GanCommand.class,
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
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit status (tests call this). */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /**
     * The configured command line for these arguments ({@code train} gets the options of the
     * method they name). Bad options give one line naming the option and value, exit code 2.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String[] train = trainArgs(args);
        // a resumed run keeps its command (a --method that differs is its conflict to report)
        String resumed = TrainCommand.resumedMethod(train);
        io.github.selfsup4j.supervised.MetricSpec<?> metric = MetricMethods.find(
                resumed != null ? resumed : methodArgument(train));
        cl.addSubcommand("train", metric != null ? MetricTrainCommand.commandLine(metric)
                : TrainCommand.commandLine(train));
        cl.setParameterExceptionHandler(Main::badParameters);
        return cl;
    }

    private static String[] trainArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("train")) {
                return java.util.Arrays.copyOfRange(args, i + 1, args.length);
            }
            if (!args[i].startsWith("-")) {
                break;
            }
        }
        return new String[0];
    }

    /** The value of --method among the train arguments, or null. */
    private static String methodArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--method") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--method=")) {
                return args[i].substring("--method=".length());
            }
        }
        return null;
    }

    private static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        if (cmd.getCommand() instanceof TrainCommand) {
            String unknown = ((TrainCommand) cmd.getCommand()).unknownMethodError();
            if (unknown != null) {
                message = unknown;
            }
        }
        // the full path of a subcommand ("selfsup4j gan score"), not its last name alone
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(cmd.getParent() == null ? name + ": " + message
                : name + ": " + message + " (see " + name + " --help)");
        return 2;
    }
}
