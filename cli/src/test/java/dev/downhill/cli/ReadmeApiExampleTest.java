package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import example.TrainPlacement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** README.md's Java example is this test's example class, word for word, and it trains. */
class ReadmeApiExampleTest {
    private static final Path EXAMPLE = Path.of("src/test/java/example/TrainPlacement.java");

    @TempDir
    Path dir;

    @Test
    void theReadmeShowsTheExampleThatIsCompiledHere() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        Matcher block = Pattern.compile("(?s)```java\\n(.*?)```").matcher(readme);
        assertTrue(block.find(), "README.md has a java block");
        String source = Files.readString(EXAMPLE).replaceFirst("package example;\\n\\n", "");
        assertEquals(source, block.group(1), "README.md's java block is " + EXAMPLE + " without its package line");
    }

    @Test
    void theExampleTrainsAndSavesAModel() {
        Path model = dir.resolve("model.safetensors");
        CliRun r = captured(() -> TrainPlacement.main(new String[] {CliRun.SEED_CSV.toString(), model.toString()}));
        Matcher m = Pattern.compile("loss ([0-9.]+) after epoch 1, ([0-9.]+) after epoch 50").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(2)) < Double.parseDouble(m.group(1)) / 2, "the loss falls: " + r.out());
        assertEquals(9, Checkpoint.load(model).parameters().length, "2-2-1: nine parameters");
    }

    private static CliRun captured(Runnable body) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return new CliRun(0, out.toString(java.nio.charset.StandardCharsets.UTF_8), "");
    }
}
