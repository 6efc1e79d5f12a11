package dev.downhill.cpu;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.workload.Workload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU backend allocates nothing per step once its buffers have grown: an epoch of many
 * steps allocates no more than one of few, on every thread a step runs on: the caller's and the
 * fork-join workers that take shares of the products.
 *
 * <p>Only those threads count. The JVM's total over all threads also holds what the test
 * harness's own threads allocate meanwhile (Surefire's stream flusher: about 10 bytes a
 * millisecond of wall time), so the total grew with the machine's slowness: on an AVX2-only EPYC,
 * six times slower on mnist, it read 8.7 bytes a "step" that no step allocated.
 */
class StepAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "mnist"})
    void anEpochOfManyStepsAllocatesNoMoreThanOneOfFew(String name) {
        Workload w = Workload.named(name).withBatch(name.equals("tiny") ? 1 : 64);
        int few = 4, many = 64, batch = w.batchSize();
        Network net = w.network(3);
        DataSet data = w.syntheticData(many * batch, 5);
        int[] short_ = IntStream.range(0, few * batch).toArray(), long_ = IntStream.range(0, many * batch).toArray();
        try (TrainableModel model = new CpuBackend(BackendOptions.defaults()).load(net, net.initialParameters(),
                Optimizer.Sgd.plain(1e-3f), data)) {
            for (int i = 0; i < 30; i++) model.trainSteps(long_, batch, 1e-3f);     // grow buffers, compile
            long fewBytes = Long.MAX_VALUE, manyBytes = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                fewBytes = Math.min(fewBytes, allocatedBy(() -> model.trainSteps(short_, batch, 1e-3f)));
                manyBytes = Math.min(manyBytes, allocatedBy(() -> model.trainSteps(long_, batch, 1e-3f)));
            }
            double perStep = (manyBytes - fewBytes) / (double) (many - few);
            System.out.printf("%s: %d bytes for %d steps, %d for %d: %.1f per step%n", name, fewBytes, few, manyBytes, many, perStep);
            assertTrue(perStep < 8, name + ": " + perStep + " bytes allocated per step");
        }
    }

    private static long allocatedBy(Runnable r) {
        long[] threads = stepThreads();
        long before = sum(THREADS.getThreadAllocatedBytes(threads));
        r.run();
        return sum(THREADS.getThreadAllocatedBytes(threads)) - before;
    }

    /** The caller and every worker of the common fork-join pool, where the products' shares run. */
    private static long[] stepThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread()
                        || t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool())
                .mapToLong(Thread::threadId).toArray();
    }

    /** Bytes over threads; a thread that ended meanwhile (-1) counts none. */
    private static long sum(long[] bytes) {
        return LongStream.of(bytes).filter(b -> b > 0).sum();
    }
}
