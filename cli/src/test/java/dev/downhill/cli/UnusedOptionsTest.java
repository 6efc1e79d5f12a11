package dev.downhill.cli;

import org.junit.jupiter.api.Test;

import static dev.downhill.cli.DataSafetyTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.*;

/** An option a command would not use is an error that names it, never silently ignored. */
class UnusedOptionsTest {
    @Test
    void theSeedExampleRefusesNetworkOptions() {
        for (String[] option : new String[][] {{"--hidden", "8,8"}, {"--activation", "tanh"}, {"--loss", "cross-entropy"},
                {"--features", "cgpa"}, {"--classes", "3"}}) {
            assertOneLineError(CliRun.of("train", option[0], option[1], "--epochs", "1"), option[0] + " does not apply to the seed example");
        }
    }

    @Test
    void aWorkloadRefusesLossAndColumns() {
        assertOneLineError(CliRun.of("train", "--workload", "tiny", "--loss", "bce"), "--loss does not apply to --workload");
        assertOneLineError(CliRun.of("train", "--workload", "tiny", "--features", "a"), "--features does not apply to --workload");
    }

    @Test
    void explainAndSweepLrHaveNoOutputOrResumeOptions() {
        for (String command : new String[] {"explain", "sweep-lr"}) {
            for (String option : TrainCommand.OUTPUT_OPTIONS) {
                assertOneLineError(CliRun.of(command, option, "x"), "Unknown option");
            }
            String help = CliRun.of(command, "--help").out();
            for (String option : TrainCommand.OUTPUT_OPTIONS) assertFalse(help.contains(option + " "), command + " --help: " + option);
            assertTrue(help.contains("--epochs"), help);
        }
    }
}
