package dev.downhill.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class of this test's class path in a separate JVM, so that it can be killed. */
final class JavaProcess {
    private JavaProcess() {}

    static Process start(Path workDir, Path log, Class<?> main, String... args) throws IOException {
        return start(List.of(), workDir, log, main, args);
    }

    /** With JVM options of the test's own before the class, such as {@code -Djava.io.tmpdir=…}. */
    static Process start(List<String> jvmOptions, Path workDir, Path log, Class<?> main, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
