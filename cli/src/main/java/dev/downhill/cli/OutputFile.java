package dev.downhill.cli;

import dev.downhill.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A command's --output checked against what the same command reads: writing over an input destroys it. */
final class OutputFile {
    private OutputFile() {}

    /** Fails when {@code output} is {@code input} (by any path, or a link to it); {@code what} names the input. */
    static void refuseInput(Path output, Path input, String what) {
        boolean same;
        try {
            same = Files.exists(output) && Files.exists(input) ? Files.isSameFile(output, input)
                    : output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize());
        } catch (IOException e) {
            same = false;          // one of them cannot be read: the read or the write reports it
        }
        if (same) throw new InputException(output + ": --output is " + what + "; write to another file");
    }
}
