package dev.downhill.cli;

import dev.downhill.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** The {@code downhill} command. */
@Command(name = "downhill", mixinStandardHelpOptions = true, version = "downhill 0.1.0",
        description = "Trains multi-layer perceptrons by backpropagation, on the CPU or an NVIDIA GPU.",
        subcommands = {TrainCommand.class, PredictCommand.class, ExportCommand.class, SummaryCommand.class, ExplainCommand.class, SweepLrCommand.class, BenchCommand.class, DevicesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code of a user mistake: bad input, a backend that cannot run, a diverged run. */
    static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof InputException input) {
                line.getErr().println("downhill: error: " + RemedyHints.message(input));
                return USER_ERROR;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            List<String> guesses = e instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
            e.getCommandLine().getErr().println("downhill: error: " + e.getMessage()
                    + (guesses.isEmpty() ? "" : "; did you mean " + String.join(" or ", guesses.stream().limit(3).toList()) + "?")
                    + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USER_ERROR;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // sizes are checked before the large allocations; this is the net under the ones that are not
            cli.getErr().println("downhill: error: the JVM ran out of memory (" + e.getMessage()
                    + "); give it more with JAVA_OPTS=-Xmx… or use smaller data, batches or layers");
            return USER_ERROR;
        }
    }

    /** The command line with every subcommand, as it runs and as its --help shows it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // explain and sweep-lr take train's options for the run they look at, not those that save or resume it
        for (String command : List.of("explain", "sweep-lr")) {
            var spec = cli.getSubcommands().get(command).getCommandSpec();
            for (String option : TrainCommand.OUTPUT_OPTIONS) spec.remove(spec.findOption(option));
        }
        return cli;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
