package dev.downhill.cli;

import dev.downhill.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The seed example's data, shipped inside the jar (and as examples/placement.csv in the repository). */
final class SeedExample {
    static final String RESOURCE = "/dev/downhill/cli/placement.csv";

    /** The copies made in this process: a report names them as the seed example, not as a temporary path. */
    private static final java.util.Set<Path> EXTRACTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SeedExample() {}

    static boolean isSeedData(Path file) {
        return file != null && EXTRACTED.contains(file);
    }

    /** A file holding the example CSV, extracted from the jar. */
    static Path csv() {
        try (InputStream in = SeedExample.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the seed example is missing from the jar: " + RESOURCE);
            Path folder = Files.createTempDirectory("downhill-seed-example");
            Path file = folder.resolve("placement.csv");
            // the JVM deletes in the reverse order of these calls: the file, then the folder it emptied
            folder.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            EXTRACTED.add(file);
            return file;
        } catch (IOException e) {
            throw new InputException("cannot extract the seed example (" + e.getMessage() + ")");
        }
    }
}
