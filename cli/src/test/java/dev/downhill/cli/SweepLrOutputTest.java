package dev.downhill.cli;

import dev.downhill.train.EpochReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** sweep-lr's table reads plainly, and a rate whose loss climbs is called diverging before it overflows. */
class SweepLrOutputTest {
    @TempDir
    Path dir;

    private static EpochReport epoch(int e, double loss) {
        return new EpochReport(e, loss, Double.NaN, Double.NaN, 0.1f, Double.NaN, 1);
    }

    @Test
    void aLossThatEndsAboveItsStartIsDiverging() {
        var climbing = new LrSweep.Run(10f, new float[0], List.of(epoch(1, 2.0), epoch(2, 50.0), epoch(3, 1e5)), 0, 0);
        var falling = new LrSweep.Run(0.1f, new float[0], List.of(epoch(1, 2.0), epoch(2, 1.0), epoch(3, 0.5)), 0, 0);
        assertTrue(climbing.diverged() && climbing.rising());
        assertFalse(falling.diverged());
        assertEquals(1, LrSweep.fastest(List.of(climbing, falling)), "a diverging run is never the fastest");
    }

    @Test
    void ratesAndLossesPrintPlainly() {
        CliRun r = CliRun.of("sweep-lr", "--values", "1e-4,1e-2,1", "--epochs", "10", "--plot", dir.resolve("s.png").toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.matches("^[0-9.]+ .*")).toList();
        assertEquals(3, rows.size(), r.out());
        assertTrue(rows.get(0).startsWith("0.0001 ") && rows.get(1).startsWith("0.01 ") && rows.get(2).startsWith("1 "), r.out());
        assertTrue(rows.get(2).contains("diverg"), rows.get(2));
        for (String row : rows) {
            String loss = row.substring(row.lastIndexOf(' ') + 1);
            assertTrue(loss.length() <= 12, "a loss in at most 12 characters: " + row);
        }
        assertTrue(r.out().contains(LrSweep.FASTEST), "the table says what 'fastest' means");
    }
}
