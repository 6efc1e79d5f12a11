package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The codes the Java side hands the kernels are the kernels' own: every constant of Loss,
 * Activation and Optimizer has its {@code #define} in the CUDA headers, with the same value. Runs
 * without a GPU, on the sources; a constant added in Java fails here until the headers have it.
 */
class KernelCodesTest {
    private static final Path HEADERS = Path.of("../kernels/src/main/cuda");
    private static final Pattern DEFINE = Pattern.compile("^#define ((?:ACT|LOSS|OPT)_\\w+) (\\d+)\\s*$", Pattern.MULTILINE);

    @Test
    void everyLossActivationAndOptimizerHasTheSameCodeInTheHeaders() throws IOException {
        Map<String, Integer> defined = defines();
        for (Loss loss : Loss.values()) expect(defined, "LOSS_" + loss.name(), KernelCodes.of(loss));
        for (Activation a : Activation.values()) expect(defined, "ACT_" + a.name(), KernelCodes.activation(a));
        Optimizer[] optimizers = {Optimizer.Sgd.plain(0.1f), Optimizer.Adam.defaults(0.1f), Optimizer.AdamW.defaults(0.1f),
                Optimizer.RmsProp.defaults(0.1f)};
        assertEquals(Optimizer.class.getPermittedSubclasses().length, optimizers.length, "every kind of optimiser is checked");
        for (Optimizer o : optimizers) {
            expect(defined, "OPT_" + o.getClass().getSimpleName().toUpperCase(Locale.ROOT), KernelCodes.optimizer(o));
        }
        assertEquals(Loss.values().length + Activation.values().length + optimizers.length, defined.size(),
                "no code in the headers that Java does not have: " + defined);
    }

    private static void expect(Map<String, Integer> defined, String name, int code) {
        assertTrue(defined.containsKey(name), name + " is not defined in " + HEADERS + ": " + defined.keySet());
        assertEquals(code, defined.get(name), name);
    }

    private static Map<String, Integer> defines() throws IOException {
        Map<String, Integer> defined = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(HEADERS)) {
            for (Path h : files.filter(p -> p.toString().endsWith(".cuh")).sorted().toList()) {
                Matcher m = DEFINE.matcher(Files.readString(h));
                while (m.find()) {
                    Integer before = defined.put(m.group(1), Integer.parseInt(m.group(2)));
                    assertNull(before, m.group(1) + " is defined twice");
                }
            }
        }
        return defined;
    }
}
