package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A run leaves nothing in the temporary folder: checked in a JVM of its own, whose exit is where the cleaning happens. */
class TemporaryFilesTest {
    @TempDir
    Path dir;

    @Test
    void trainingTheSeedExampleLeavesTheTemporaryFolderEmpty() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp")), log = dir.resolve("train.log");
        Process p = JavaProcess.start(List.of("-Djava.io.tmpdir=" + tmp), dir, log, Main.class,
                "train", "--epochs", "2", "--out", dir.resolve("out").toString());
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the run ends");
        assertEquals(0, p.exitValue(), Files.readString(log));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(f -> f.getFileName().toString()).toList(), "left in the temporary folder");
        }
    }
}
