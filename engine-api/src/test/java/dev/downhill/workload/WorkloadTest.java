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
}
