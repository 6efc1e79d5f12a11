package dev.downhill.parallel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.*;

/** The ring over loopback, one thread per rank. */
class RingAllReduceTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @Test
    void everyRankGetsTheSumTheSameBitsAndAgainOnARerun() throws Exception {
        for (int n = 2; n <= 4; n++) {
            for (int length : new int[] {1, 3, 5, 1_000_003}) {     // fewer elements than ranks, and more than a chunk
                float[][] inputs = new float[n][length];
                SplittableRandom random = new SplittableRandom(n * 31L + length);
                for (float[] in : inputs) for (int i = 0; i < length; i++) in[i] = (float) random.nextDouble(-1, 1);
                float[][] first = reduceAll(n, r -> inputs[r].clone(), Duration.ofSeconds(30));
                float[][] again = reduceAll(n, r -> inputs[r].clone(), Duration.ofSeconds(30));
                for (int i = 0; i < length; i++) {
                    double sum = 0;
                    for (float[] in : inputs) sum += in[i];
                    assertEquals(sum, first[0][i], 1e-6 * n, n + " ranks, element " + i);
                }
                for (int r = 1; r < n; r++) assertArrayEquals(first[0], first[r], n + " ranks: rank " + r + " has rank 0's bits");
                assertArrayEquals(first[0], again[0], n + " ranks: a rerun adds in the same order");
            }
        }
    }

    @Test
    void aRankThatStopsAnsweringMakesTheOthersFailInsteadOfWaiting() throws Exception {
        // the timeout bounds joining too: long enough for three threads on a busy machine to connect
        List<RingAllReduce> ring = RingAllReduce.inProcess(3, Duration.ofSeconds(2));
        try {
            long start = System.nanoTime();
            List<Future<?>> calls = new ArrayList<>();
            for (int r = 0; r < 2; r++) {                                 // rank 2 never calls
                RingAllReduce rank = ring.get(r);
                calls.add(threads.submit(() -> rank.allReduceSum(new float[1000])));
            }
            for (Future<?> call : calls) {
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
                assertInstanceOf(CollectiveException.class, e.getCause());
                assertTrue(e.getCause().getMessage().matches("rank \\d of 3: all-reduce failed: .+"), e.getCause().getMessage());
            }
            // without the timeout they would wait for ever: a bound far above it only keeps a broken build from hanging
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "failed after the timeout, not never");
        } finally {
            ring.forEach(RingAllReduce::close);
        }
    }

    @Test
    void anAbortFromAnotherThreadEndsAWaitingCollective() throws Exception {
        List<RingAllReduce> ring = RingAllReduce.inProcess(2, Duration.ofMinutes(5));
        try {
            Future<?> waiting = threads.submit(() -> ring.get(0).allReduceSum(new float[10]));   // rank 1 never calls
            Thread.sleep(200);
            ring.get(0).abort();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
            assertEquals("rank 0 of 2: all-reduce failed: the collective was aborted", e.getCause().getMessage());
        } finally {
            ring.forEach(RingAllReduce::close);
        }
    }

    @Test
    void aRankWithoutItsNeighbourFailsToJoinAfterTheTimeout() throws Exception {
        try (RingAllReduce.Endpoint alone = RingAllReduce.Endpoint.open(InetAddress.getLoopbackAddress());
             RingAllReduce.Endpoint absent = RingAllReduce.Endpoint.open(InetAddress.getLoopbackAddress())) {
            List<InetSocketAddress> addresses = List.of(alone.address(), absent.address());
            CollectiveException e = assertThrows(CollectiveException.class, () -> alone.join(0, addresses, Duration.ofMillis(300)));
            assertTrue(e.getMessage().startsWith("rank 0 of 2 could not join the ring within 0 s"), e.getMessage());
        }
    }

    /** Each of n ranks reduces its buffer once; the buffers after. */
    private float[][] reduceAll(int n, IntFunction<float[]> input, Duration timeout) throws Exception {
        List<RingAllReduce> ring = RingAllReduce.inProcess(n, timeout);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (RingAllReduce rank : ring) {
                results.add(threads.submit(() -> {
                    float[] buffer = input.apply(rank.rank());
                    rank.allReduceSum(buffer);
                    return buffer;
                }));
            }
            float[][] out = new float[n][];
            for (int r = 0; r < n; r++) out[r] = results.get(r).get(1, TimeUnit.MINUTES);
            return out;
        } finally {
            ring.forEach(RingAllReduce::close);
        }
    }
}
