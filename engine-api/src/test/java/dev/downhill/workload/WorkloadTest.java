package dev.downhill.workload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class WorkloadTest {
    @Test
    void aStandardWorkloadCannotBeChangedThroughItsWidths() {
        Workload mnist = Workload.named("mnist");
        mnist.widths()[0] = 1;
        assertEquals(784, Workload.named("mnist").widths()[0]);
        int[] given = {2, 3, 1};
        Workload own = new Workload("own", given, mnist.hidden(), mnist.loss(), 4);
        given[1] = 99;
        assertEquals(3, own.widths()[1]);
    }

    @Test
    void workloadsAreEqualByTheirWidthsValues() {
        Workload tcnn = Workload.named("tcnn");
        Workload copy = new Workload("tcnn", tcnn.widths(), tcnn.hidden(), tcnn.loss(), tcnn.batchSize());
        assertEquals(tcnn, copy);
        assertEquals(tcnn.hashCode(), copy.hashCode());
        assertNotEquals(tcnn, tcnn.withWidths(64, 32, 16));
        assertEquals("Workload[tcnn 64-64-64-64-64-16, relu, mse, batch 262144]", tcnn.toString());
    }
}
