package dev.downhill.optim;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ScheduleAndOptimizerTest {
    @Test
    void stepAndExponentialDecayAsPyTorchSchedulers() {
        var step = new LearningRateSchedule.Step(3, 0.5f);
        assertArrayEquals(new float[] {1, 1, 1, 0.5f, 0.5f, 0.5f, 0.25f},
                new float[] {step.rate(1, 0), step.rate(1, 1), step.rate(1, 2), step.rate(1, 3), step.rate(1, 4),
                        step.rate(1, 5), step.rate(1, 6)});
        assertEquals(0.1f * 0.9f * 0.9f, new LearningRateSchedule.Exponential(0.9f).rate(0.1f, 2), 1e-8);
    }

    @Test
    void cosineWarmsUpLinearlyThenAnnealsToTheMinimum() {
        var cosine = new LearningRateSchedule.CosineWithWarmup(2, 10, 0.01f);
        assertEquals(0.5f, cosine.rate(1, 0), 1e-7);
        assertEquals(1f, cosine.rate(1, 1), 1e-7);
        assertEquals(1f, cosine.rate(1, 2), 1e-7);
        assertEquals(0.01f + 0.99f * 0.5f, cosine.rate(1, 6), 1e-6, "half way through the annealing");
        assertEquals(0.01f, cosine.rate(1, 10), 1e-7);
        assertTrue(cosine.rate(1, 4) > cosine.rate(1, 5), "monotone after the warm-up");
    }

    @Test
    void schedulesParseAndRejectNonsense() {
        assertEquals(new LearningRateSchedule.Step(10, 0.1f), LearningRateSchedule.parse("step:10:0.1", 50));
        assertEquals(new LearningRateSchedule.CosineWithWarmup(5, 50, 0f), LearningRateSchedule.parse("cosine:5", 50));
        assertThrows(InputException.class, () -> LearningRateSchedule.parse("step:x", 50));
        assertThrows(InputException.class, () -> LearningRateSchedule.parse("wobbly", 50));
        assertThrows(InputException.class, () -> LearningRateSchedule.parse("cosine:50", 50));
    }

    @Test
    void optimisersHavePyTorchDefaultsAndRejectBadSettings() {
        assertEquals(new Optimizer.AdamW(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), Optimizer.AdamW.defaults(1e-3f));
        assertEquals(new Optimizer.RmsProp(0.01f, 0.99f, 1e-8f, 0, 0), Optimizer.RmsProp.defaults(0.01f));
        assertEquals("learning rate must be a positive number, got -0.1",
                assertThrows(InputException.class, () -> Optimizer.Sgd.plain(-0.1f)).getMessage());
        assertThrows(InputException.class, () -> Optimizer.Sgd.plain(Float.NaN));
        assertThrows(InputException.class, () -> new Optimizer.Sgd(0.1f, 0, true, 0));
        assertThrows(InputException.class, () -> new Optimizer.Adam(0.1f, 1.5f, 0.999f, 1e-8f, 0));
    }

    @Test
    void schedulesTakeExactlyTheirParameters() {
        for (String spec : List.of("step:2:0.5:9", "constant:5", "exp:0.9:1", "cosine:1:0.1:3", "step:2")) {
            var e = assertThrows(dev.downhill.InputException.class, () -> LearningRateSchedule.parse(spec, 10), spec);
            assertTrue(e.getMessage().startsWith("schedule '" + spec + "' has "), e.getMessage());
        }
        assertEquals(new LearningRateSchedule.Step(2, 0.5f), LearningRateSchedule.parse("step:2:0.5", 10));
        assertEquals(new LearningRateSchedule.CosineWithWarmup(1, 10, 0f), LearningRateSchedule.parse("cosine:1", 10));
    }
}
