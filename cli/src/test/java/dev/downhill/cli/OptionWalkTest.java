package dev.downhill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every option of every command, given values out of its range or of the wrong kind: each run
 * either works or ends with exit 2 and one "downhill: error:" line, never a stack trace. The
 * options come from the commands themselves, so an option added later is walked too.
 */
class OptionWalkTest {
    @TempDir
    Path dir;

    private static final List<String> VALUES = List.of("-1", "0", "2147483647", "-0.1", "NaN", "1e40", "x", "", "/proc/downhill/x",
            "a,,b", "0x1p3");

    /** Valid, and as long as the user asked: these would only take their time, not fail. */
    private static final Set<String> LONG_RUNS = Set.of("--epochs=2147483647", "--repeats=2147483647", "--warmups=2147483647",
            "--epochs=1e40", "--patience=2147483647");

    @Test
    void everyOptionWithEveryBadValueIsAnswered() {
        Path model = dir.resolve("m");
        assertEquals(0, CliRun.of("train", "--data", CliRun.SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "1",
                "--out", model.toString()).code());
        Map<String, List<String>> bases = Map.of(
                "train", List.of("--data", CliRun.SEED_CSV.toString(), "--target", "package_lpa", "--epochs", "1",
                        "--out", dir.resolve("t").toString()),
                "predict", List.of("--model", model.resolve("model.safetensors").toString(), "--data",
                        CliRun.SEED_CSV.toString(), "--output", dir.resolve("p.csv").toString()),
                "explain", List.of("--page", dir.resolve("e.html").toString()),
                "export", List.of("--model", model.resolve("model.safetensors").toString(), "--output",
                        dir.resolve("x.safetensors").toString()),
                "sweep-lr", List.of("--epochs", "1", "--values", "0.1", "--plot", dir.resolve("s.png").toString()),
                "bench", List.of("--workload", "tiny", "--backend", "cpu", "--repeats", "1", "--warmups", "0"));
        List<String> before = namesIn(Path.of(""));
        CommandLine root = new CommandLine(new Main());
        int tried = 0;
        List<String> failures = new ArrayList<>();
        for (var command : bases.entrySet()) {
            for (OptionSpec option : root.getSubcommands().get(command.getKey()).getCommandSpec().options()) {
                if (option.arity().max() == 0 || option.usageHelp() || option.versionHelp()) continue;
                String name = option.longestName();
                boolean path = option.type() == Path.class;
                for (String text : VALUES) {
                    if (LONG_RUNS.contains(name + "=" + text) || path && text.isEmpty()) continue;
                    // a file or folder given as a relative path lands in the test's folder, not in the module's
                    String value = path ? dir.resolve(text).toString() : text;
                    List<String> args = new ArrayList<>(List.of(command.getKey()));
                    List<String> base = command.getValue();
                    for (int i = 0; i < base.size(); i += 2) {
                        if (!base.get(i).equals(name)) args.addAll(base.subList(i, i + 2));
                    }
                    args.addAll(List.of(name, value));
                    CliRun r = CliRun.of(args.toArray(String[]::new));
                    tried++;
                    String problem = problem(r);
                    if (problem != null) failures.add(String.join(" ", args) + " -> " + problem);
                }
            }
        }
        System.out.println("option values walked: " + tried);
        assertTrue(tried > 400, "walked " + tried);
        assertEquals(List.of(), failures);
        assertEquals(before, namesIn(Path.of("")), "nothing was written where the tests run");
    }

    private static List<String> namesIn(Path folder) {
        try (var files = java.nio.file.Files.list(folder.toAbsolutePath())) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String problem(CliRun r) {
        if (r.err().contains("\tat ") || r.err().contains("Exception")) return "stack trace: " + r.err();
        if (r.code() == 0) return null;
        if (r.code() != Main.USER_ERROR) return "exit " + r.code() + ": " + r.err();
        long errors = r.err().lines().filter(l -> l.startsWith("downhill: error: ")).count();
        return errors == 1 ? null : errors + " error lines: " + r.err();
    }
}
