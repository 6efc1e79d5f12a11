package dev.downhill.cpu;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.OptimizerState;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.parallel.Collective;
import dev.downhill.parallel.DataParallelTrainer;
import dev.downhill.parallel.RingAllReduce;
import dev.downhill.testing.OneProcess;
import dev.downhill.testing.TestData;
import dev.downhill.train.TrainingConfig;
import dev.downhill.train.TrainingProgress;
import dev.downhill.train.TrainingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Synchronous data-parallel training on the CPU backend, ranks as threads joined by the TCP ring
 * over loopback, against one process stepping on the ranks' rows put together.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataParallelTrainingTest {
    private final CpuBackend cpu = new CpuBackend(BackendOptions.defaults());
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Network net = Network.builder(5).dense(12, Activation.TANH).dense(8, Activation.RELU).dense(3, Activation.SOFTMAX)
            .loss(Loss.CROSS_ENTROPY).seed(3).build();
    /** Adam, dropout and clipping: every part of a step that a rank could get wrong. */
    private final Regularization regularization = Regularization.NONE.withDropout(0.2, 9).withClipNorm(0.5);
    private final TrainingConfig config = TrainingConfig.of(4, 8).shuffled(5);

    @AfterAll
    void close() {
        threads.shutdownNow();
    }

    /** N ranks × b rows a step is one process on batches of N·b: 20 steps, 1e-5 apart at most, and bit-identical on a rerun. */
    @Test
    void twoAndThreeRanksAreOneProcessOnTheirRowsTogether() throws Exception {
        for (int ranks : new int[] {2, 3}) {
            int[] shards = new int[ranks];
            Arrays.fill(shards, 40);                           // 5 steps of 8 rows an epoch: 20 steps
            checkAgainstOneProcess(shards);
        }
    }

    /** Shards that differ by a few rows: the last steps' batches are what the ranks had left, each weighted by its rows. */
    @Test
    void unequalShardsWeighEachRankByItsRows() throws Exception {
        checkAgainstOneProcess(new int[] {41, 40, 33});
    }

    @Test
    void oneRankIsTheSingleProcessBitForBit() {
        DataSet data = TestData.randomFor(net, 40, 7);
        float[] distributed;
        try (TrainableModel model = cpu.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization)) {
            distributed = new DataParallelTrainer(config, Collective.single()).train(model, new int[] {40}).parameters();
        }
        assertArrayEquals(oneProcess(data, new int[] {40}), distributed);
    }

    /**
     * Every rank stops at the same step (as a failed task's siblings are killed), rank 0's saved
     * parameters and optimiser state are given to fresh models on every rank, and the resumed run
     * ends bit-identical to an uninterrupted one.
     */
    @Test
    void aRunStoppedMidEpochAndResumedFromRankZerosStateIsBitIdentical() throws Exception {
        int[] shards = {40, 40};
        DataSet[] data = split(TestData.randomFor(net, 80, 21), shards);
        float[][] straight = runRanks(shards, (rank, ring) -> {
            try (TrainableModel m = load(data[rank])) {
                return new DataParallelTrainer(config, ring).train(m, shards).parameters();
            }
        });
        TrainingProgress[] progress = new TrainingProgress[1];
        float[][] saved = new float[1][];
        OptimizerState[] state = new OptimizerState[1];
        runRanks(shards, (rank, ring) -> {
            try (TrainableModel m = load(data[rank])) {
                int[] checks = {0};
                TrainingResult r = new DataParallelTrainer(config, ring).stopWhen(() -> ++checks[0] > 7).checkpoints(0, p -> {
                    if (rank == 0) {
                        progress[0] = p;
                        saved[0] = m.parameters();
                        state[0] = m.optimizerState();
                    }
                }).train(m, shards);
                assertTrue(r.interrupted());
                return r.parameters();
            }
        });
        assertEquals(1, progress[0].epoch(), "stopped in the second epoch");
        assertEquals(2, progress[0].step(), "after its second step");
        float[][] resumed = runRanks(shards, (rank, ring) -> {
            try (TrainableModel m = load(data[rank])) {
                m.restore(saved[0], state[0]);
                return new DataParallelTrainer(config, ring).resume(m, shards, progress[0]).parameters();
            }
        });
        assertArrayEquals(straight[0], resumed[0]);
        assertArrayEquals(straight[1], resumed[1]);
    }

    private void checkAgainstOneProcess(int[] shards) throws Exception {
        DataSet all = TestData.randomFor(net, IntStream.of(shards).sum(), 21);
        DataSet[] data = split(all, shards);
        BiFunction<Integer, Collective, float[]> rank = (r, ring) -> {
            try (TrainableModel m = load(data[r])) {
                return new DataParallelTrainer(config, ring).train(m, shards).parameters();
            }
        };
        float[][] first = runRanks(shards, rank), again = runRanks(shards, rank);
        for (int r = 1; r < shards.length; r++) assertArrayEquals(first[0], first[r], "rank " + r + " holds rank 0's parameters");
        assertArrayEquals(first[0], again[0], Arrays.toString(shards) + ": a rerun is bit-identical");
        float[] single = oneProcess(all, shards);
        double worst = OneProcess.largestRelativeDifference(single, first[0]);
        int steps = config.epochs() * Arrays.stream(shards).map(n -> (n + config.batchSize() - 1) / config.batchSize()).max().orElseThrow();
        System.out.printf("%s ranks vs one process after %d steps: largest relative difference %.2e%n", Arrays.toString(shards),
                steps, worst);
        assertTrue(worst <= 1e-5, Arrays.toString(shards) + ": " + worst);
        assertFalse(Arrays.equals(single, net.initialParameters()), "training moved the parameters");
    }

    /** One process on all the rows: rank r's shard is the r-th run of consecutive rows. */
    private float[] oneProcess(DataSet all, int[] shards) {
        int[][] rows = new int[shards.length][];
        for (int r = 0, offset = 0; r < shards.length; offset += shards[r], r++) {
            rows[r] = IntStream.range(offset, offset + shards[r]).toArray();
        }
        try (TrainableModel m = load(all)) {
            return OneProcess.train(m, config, rows);
        }
    }

    private TrainableModel load(DataSet data) {
        return cpu.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization);
    }

    /** Rows of {@code all} in consecutive shards of the given sizes. */
    private static DataSet[] split(DataSet all, int[] shards) {
        DataSet[] data = new DataSet[shards.length];
        for (int r = 0, offset = 0; r < shards.length; offset += shards[r], r++) {
            data[r] = all.select(IntStream.range(offset, offset + shards[r]).toArray());
        }
        return data;
    }

    /** Each rank's result of {@code body}, ranks as threads in a ring over loopback. */
    private float[][] runRanks(int[] shards, BiFunction<Integer, Collective, float[]> body) throws Exception {
        int n = shards.length;
        List<RingAllReduce> ring = RingAllReduce.inProcess(n, Duration.ofSeconds(30));
        List<CompletableFuture<float[]>> ranks = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            ranks.add(CompletableFuture.supplyAsync(() -> {
                try (RingAllReduce mine = ring.get(rank)) {
                    return body.apply(rank, mine);
                }
            }, threads));
        }
        float[][] out = new float[n][];
        for (int r = 0; r < n; r++) out[r] = ranks.get(r).get(2, TimeUnit.MINUTES);
        return out;
    }
}
