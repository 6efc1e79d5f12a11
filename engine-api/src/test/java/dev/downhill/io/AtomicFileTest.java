package dev.downhill.io;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A file written through {@link AtomicFile} is the old one or the new one, whatever happens in between. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsHalfwayLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("out.csv");
        Files.writeString(file, "old\n");
        InputException e = assertThrows(InputException.class, () -> AtomicFile.write(file, "predictions", out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        }));
        assertEquals(file + ": cannot write predictions (No space left on device)", e.getMessage());
        assertEquals("old\n", Files.readString(file));
        assertEquals(List.of("out.csv"), names());
    }

    @Test
    void aProcessKilledMidWriteLeavesTheOldContent() throws Exception {
        Path file = dir.resolve("out.csv");
        Files.writeString(file, "old\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), HaltMidWrite.class.getName(),
                file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(HaltMidWrite.EXIT, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("old\n", Files.readString(file), "the target is untouched");
    }

    @Test
    void devicesAreWrittenInPlaceWithTheirErrorsReported() {
        AtomicFile.writeString(Path.of("/dev/null"), "predictions", "nothing kept");
        InputException e = assertThrows(InputException.class,
                () -> AtomicFile.writeString(Path.of("/dev/full"), "predictions", "x".repeat(100_000)));
        assertEquals("/dev/full: cannot write predictions (No space left on device)", e.getMessage());
    }

    @Test
    void foldersAndUnwritablePlacesAreFoundBeforeAnyWork() throws IOException {
        assertEquals(dir + ": cannot write predictions (it is a folder)",
                assertThrows(InputException.class, () -> AtomicFile.checkWritable(dir, "predictions")).getMessage());
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertTrue(assertThrows(InputException.class, () -> AtomicFile.checkFolderWritable(file, "the model")).getMessage()
                .startsWith(file + ": cannot write the model there (not a folder"));
        assertThrows(InputException.class, () -> AtomicFile.checkFolderWritable(Path.of("/proc/downhill"), "the model"));
        AtomicFile.checkWritable(dir.resolve("new/deeper/p.csv"), "predictions");
        assertEquals(List.of("f", "new"), names(), "the check leaves no probe behind");
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** Writes half of a new content, then dies as a SIGKILL would: no shutdown hooks, no cleanup. */
    public static final class HaltMidWrite {
        static final int EXIT = 57;

        public static void main(String[] args) {
            AtomicFile.write(Path.of(args[0]), "predictions", out -> {
                out.write("half of the new".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Runtime.getRuntime().halt(EXIT);
            });
        }
    }
}
