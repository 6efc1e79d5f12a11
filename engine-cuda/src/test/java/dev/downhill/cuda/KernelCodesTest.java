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
 * Activation and Optimizer has its {@code #define} in the CUDA headers, with the same value; the
 * kernels' range checks ({@code ACT_LAST}, …) end at the last one; and every activation has its
 * formula in activation.cuh. Runs without a GPU, on the sources; a constant added in Java fails
 * here until the headers have it.
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

    @Test
    void theKernelsRangeChecksEndAtTheLastCode() throws IOException {
        String headers = allHeaders();
        expectLast(headers, "ACT_LAST", "ACT_" + Activation.values()[Activation.values().length - 1].name());
        expectLast(headers, "LOSS_LAST", "LOSS_" + Loss.values()[Loss.values().length - 1].name());
        expectLast(headers, "OPT_LAST", "OPT_RMSPROP");
        assertEquals(3, KernelCodes.optimizer(Optimizer.RmsProp.defaults(0.1f)), "RMSProp has the largest optimiser code");
    }

    /**
     * activate and activation_slope each have a case for every activation but two: the identity
     * is their default branch, and softmax is computed across a row by the cross-entropy kernels.
     */
    @Test
    void everyActivationHasItsFormulaInBothSwitches() throws IOException {
        String source = Files.readString(HEADERS.resolve("activation.cuh"));
        for (Activation a : Activation.values()) {
            if (a == Activation.IDENTITY || a == Activation.SOFTMAX) continue;
            int cases = source.split("case ACT_" + a.name() + ":", -1).length - 1;
            assertEquals(2, cases, "case ACT_" + a.name() + ": in activate and in activation_slope");
        }
    }

    private static void expectLast(String headers, String range, String last) {
        assertTrue(headers.contains("#define " + range + " " + last + "\n"), range + " must be " + last);
    }

    private static String allHeaders() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(HEADERS)) {
            for (Path h : files.filter(p -> p.toString().endsWith(".cuh")).sorted().toList()) all.append(Files.readString(h));
        }
        return all.toString();
    }

    private static void expect(Map<String, Integer> defined, String name, int code) {
        assertTrue(defined.containsKey(name), name + " is not defined in " + HEADERS + ": " + defined.keySet());
        assertEquals(code, defined.get(name), name);
    }

    private static Map<String, Integer> defines() throws IOException {
        Map<String, Integer> defined = new LinkedHashMap<>();
        Matcher m = DEFINE.matcher(allHeaders());
        while (m.find()) {
            Integer before = defined.put(m.group(1), Integer.parseInt(m.group(2)));
            assertNull(before, m.group(1) + " is defined twice");
        }
        return defined;
    }
}
