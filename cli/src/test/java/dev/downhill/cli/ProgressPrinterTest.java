package dev.downhill.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The terminal's bar moves within an epoch and says how long is left, at the pace measured so far. */
class ProgressPrinterTest {
    @Test
    void theBarMovesWithinAnEpochAndGivesTheTimeLeft() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, () -> now[0]);
        p.onStart(10);
        p.onSteps(0, 1, 100);                                  // 0.1% done at t = 0: the pace starts here
        now[0] = 2_000_000_000L;
        p.onSteps(0, 51, 100);                                 // 5.1%: 5% more in 2 s, 94.9% left: 38 s
        String shown = bytes.toString(StandardCharsets.UTF_8);
        String last = shown.substring(shown.lastIndexOf("\r"));
        assertTrue(last.contains("epoch 1, step 51/100"), last);
        assertTrue(last.contains("  5%"), last);
        assertTrue(last.endsWith("ETA 38s"), last);
        now[0] = 2_050_000_000L;
        p.onSteps(0, 52, 100);
        assertEquals(shown, bytes.toString(StandardCharsets.UTF_8), "not redrawn within 100 ms");
    }

    @Test
    void aFileGetsLinesOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> 0);
        p.onStart(3);
        p.onSteps(0, 5, 10);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }
}
