package dev.downhill.spark;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.OptimizerState;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.train.TrainingProgress;
import dev.downhill.backend.Backends;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.OneProcess;
import dev.downhill.testing.TestData;
import dev.downhill.train.TrainingConfig;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** Training on an embedded Spark (local mode, one JVM): ranks are barrier tasks, the ring is real TCP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkTrainingTest {
    private static final int ROWS = 120;
    private final Network net = Network.builder(3).dense(10, Activation.TANH).dense(6, Activation.RELU).dense(1, Activation.SIGMOID)
            .loss(Loss.BCE).seed(4).build();
    private final DataSet data = classes(TestData.randomFor(net, ROWS, 12));
    /** 3 epochs of 6-row steps: 30 steps with 2 ranks (60 rows each), 21 with 3 (40 rows each). */
    private final TrainingConfig config = TrainingConfig.of(3, 6).shuffled(8);
    private final Regularization regularization = Regularization.NONE.withDropout(0.2, 3).withClipNorm(1);
    private SparkSession spark;
    private Dataset<Row> frame;

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        spark = SparkSession.builder().master("local[3]").appName("downhill-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "3").getOrCreate();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) rows.add(RowFactory.create(data.feature(r, 0), data.feature(r, 1), data.feature(r, 2), data.targets()[r]));
        StructType schema = new StructType(new StructField[] {field("a"), field("b"), field("c"), field("y")});
        frame = spark.createDataFrame(rows, schema);          // in the list's order, in 3 partitions
    }

    @AfterAll
    void stop() {
        if (spark != null) spark.stop();
    }

    /** N ranks on Spark are one process on the ranks' rows of each step put together: 1e-5 apart at most after 20 steps or more. */
    @Test
    void twoAndThreeRanksAreOneProcess() {
        for (int ranks : new int[] {2, 3}) {
            SparkTraining.Result result = SparkTraining.train(frame, plan(ranks, null, null));
            assertEquals(ranks, result.rankBackends().size());
            assertTrue(result.rankBackends().stream().allMatch(b -> b.startsWith("cpu")), result.rankBackends().toString());
            int[][] shards = new int[ranks][];
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                shards[r] = IntStream.range(0, ROWS).filter(i -> i % ranks == rank).toArray();   // row i to rank i mod N
            }
            float[] single;
            try (var cpu = Backends.open("cpu", BackendOptions.defaults(), line -> {});
                 TrainableModel model = cpu.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization)) {
                single = OneProcess.train(model, config, shards);
            }
            double worst = OneProcess.largestRelativeDifference(single, result.parameters());
            System.out.printf("spark, %d ranks, %d steps: largest relative difference from one process %.2e%n", ranks, result.steps(), worst);
            assertTrue(worst <= 1e-5, ranks + " ranks: " + worst);
        }
    }

    @Test
    void twoRunsWithTheSameSeedAreBitIdentical() {
        assertArrayEquals(SparkTraining.train(frame, plan(2, null, null)).parameters(),
                SparkTraining.train(frame, plan(2, null, null)).parameters());
    }

    /**
     * Rank 1 fails at its 7th step in the stage's first attempt; Spark retries the stage, every rank
     * resumes from rank 0's newest checkpoint (every 3 steps), and the run ends bit-identical to one
     * that never failed. An older run's checkpoint left in the folder is not resumed, and the folder's
     * other files are left alone.
     */
    @Test
    void aRankThatFailsMidEpochIsRetriedFromTheNewestCheckpointBitIdentically() throws Exception {
        float[] straight = SparkTraining.train(frame, plan(2, null, null)).parameters();
        Path folder = Files.createDirectories(dir.resolve("checkpoints"));
        Files.writeString(folder.resolve("notes.txt"), "the user's");
        TrainingCheckpoint.save(folder, 1, net, new float[net.layout().size()], OptimizerState.fresh(net.layout().size()),
                new TrainingProgress(2, 9, 0, 0, List.of()), Map.of());            // an older run's, further on than this one's
        String checkpoints = folder.toUri().toString();
        SparkTraining.Result retried = SparkTraining.train(frame, plan(2, checkpoints, (attempt, rank, step) -> {
            if (attempt == 0 && rank == 1 && step == 7) throw new IllegalStateException("injected fault: rank 1, step 7");
        }));
        assertEquals(2, retried.attempts(), "the stage ran twice");
        assertEquals(30, retried.steps());
        assertArrayEquals(straight, retried.parameters());
        try (var left = Files.list(folder)) {
            assertEquals(List.of("notes.txt"), left.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
        }
    }

    private TrainingPlan plan(int ranks, String checkpoints, TrainingPlan.StepListener listener) {
        return new TrainingPlan(net, Optimizer.Adam.defaults(0.01f), regularization, config, List.of("a", "b", "c"), List.of("y"),
                ranks, false, "cpu", BackendOptions.defaults(), checkpoints, 3, Duration.ofSeconds(30), listener);
    }

    private static StructField field(String name) {
        return DataTypes.createStructField(name, DataTypes.FloatType, false);
    }

    /** The random targets as 0/1 classes, for BCE. */
    private static DataSet classes(DataSet d) {
        float[] y = d.targets().clone();
        for (int i = 0; i < y.length; i++) y[i] = y[i] > 0.5f ? 1 : 0;
        return DataSet.of(d.features(), d.featureWidth(), y, 1);
    }
}
