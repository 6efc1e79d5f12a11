package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** What the terminal says: guesses for typos, whole sentences in the help, counts that read right. */
class TerminalWordsTest {
    @TempDir
    Path dir;

    @Test
    void typosGetAGuess() {
        assertTrue(CliRun.of("trian").err().contains("did you mean train?"), CliRun.of("trian").err());
        assertTrue(CliRun.of("train", "--hiden", "3").err().contains("did you mean --hidden?"));
    }

    @Test
    void theTopLevelHelpListsEachCommandInAWholeSentence() {
        String help = CliRun.of("--help").out();
        String commands = help.substring(help.indexOf("Commands:"));
        StringBuilder entry = new StringBuilder();
        for (String line : commands.lines().skip(1).toList()) {
            if (!line.startsWith("      ") && !entry.isEmpty()) {
                assertTrue(entry.toString().trim().endsWith("."), "cut mid-sentence: " + entry);
                entry.setLength(0);
            }
            entry.append(line.trim()).append(' ');
        }
        assertTrue(entry.toString().trim().endsWith("."), entry.toString());
    }

    @Test
    void aResumeNamesTheEpochsDoneAsTheCheckpointDoes() {
        Path out = dir.resolve("r");
        CliRun first = CliRun.of("train", "--data", CliRun.SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "1",
                "--out", dir.resolve("one").toString());
        assertTrue(first.out().contains("(reached 1 epoch)"), first.out());
        assertEquals(130, DataSafetyTest.stopped("train", "--data", CliRun.SEED_CSV.toString(), "--target", "package_lpa",
                "--epochs", "3", "--out", out.toString()).code());
        CliRun resumed = CliRun.of("train", "--resume", out.resolve("checkpoints").toString());
        assertTrue(resumed.out().contains("checkpoint-e000000-s00000000.safetensors (after epoch 0)"), resumed.out());
        assertTrue(resumed.out().contains("removed the finished run's 1 training checkpoint"), resumed.out());
        assertFalse(java.nio.file.Files.exists(out.resolve("checkpoints")), "a finished run leaves no checkpoints to resume into");
    }
}
