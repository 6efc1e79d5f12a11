package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every option of every command, as its --help lists it, is in README.md. */
class ReadmeOptionsTest {
    @Test
    void everyOptionIsDocumented() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        List<String> missing = new ArrayList<>();
        CommandLine root = Main.commandLine();
        for (var command : root.getSubcommands().entrySet()) {
            for (OptionSpec option : command.getValue().getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp() || option.hidden()) continue;
                String name = option.longestName(), bare = name.substring(2);
                if (!readme.contains(name) && !readme.contains("--[no-]" + bare)) missing.add(command.getKey() + " " + name);
            }
        }
        assertEquals(List.of(), missing, "options missing from README.md");
    }
}
