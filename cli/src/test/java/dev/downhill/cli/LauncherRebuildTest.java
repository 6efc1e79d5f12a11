package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** bin/downhill rebuilds when what goes into the jar changed, and not because a run wrote a CSV. */
class LauncherRebuildTest {
    private static final Path SCRIPT = Path.of("../bin/lib/needs-build.sh").toAbsolutePath();

    @TempDir
    Path root;

    private static final Instant JAR_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private Path file(String path, Instant modified) throws Exception {
        Path f = root.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "x");
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    private boolean needsBuild() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", ". \"$0\" && needs_build \"$1\" \"$2\"", SCRIPT.toString(),
                root.toString(), root.resolve("cli/target/downhill.jar").toString()).inheritIO().start();
        return p.waitFor() == 0;
    }

    @Test
    void onlyTheJarsInputsCount() throws Exception {
        Instant before = JAR_TIME.minusSeconds(60), after = JAR_TIME.plusSeconds(60);
        file("pom.xml", before);
        file("cli/pom.xml", before);
        file("cli/src/main/java/A.java", before);
        file("cli/src/main/resources/page.html", before);
        file("examples/placement.csv", before);
        file("cli/target/downhill.jar", JAR_TIME);
        assertFalse(needsBuild(), "nothing changed");

        file("out/placement-package/loss.csv", after);
        file("predictions.csv", after);
        file("cli/src/test/java/ATest.java", after);
        file("cli/target/classes/A.class", after);
        assertFalse(needsBuild(), "a run's outputs, tests and build output are not the jar's inputs");

        for (String input : new String[] {"cli/src/main/resources/page.html", "examples/placement.csv", "cli/pom.xml",
                "cli/src/main/java/A.java"}) {
            Path f = file(input, after);
            assertTrue(needsBuild(), input + " changed");
            Files.setLastModifiedTime(f, FileTime.from(before));
        }
        Files.delete(root.resolve("cli/target/downhill.jar"));
        assertTrue(needsBuild(), "no jar yet");
    }
}
