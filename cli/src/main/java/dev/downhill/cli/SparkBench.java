package dev.downhill.cli;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Regularization;
import dev.downhill.data.DataSet;
import dev.downhill.optim.Optimizer;
import dev.downhill.parallel.RingAllReduce;
import dev.downhill.spark.SparkTraining;
import dev.downhill.spark.TrainingPlan;
import dev.downhill.train.TrainingConfig;
import dev.downhill.workload.Workload;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code bench --spark MASTER}: what data-parallel training costs on this machine. First the ring
 * all-reduce between N ranks over loopback (threads of this process) beside one TCP stream's copy
 * rate; then a workload trained on Spark with 1 rank and with N, each rank stepping on its own
 * batch: throughput, and the all-reduce's share of a step. docs/SCALING.md fits its model to these.
 */
final class SparkBench {
    private static final int TIMED = 15;
    private final PrintStream out;

    SparkBench(PrintStream out) {
        this.out = out;
    }

    void run(SparkMaster master, int ranks, Workload workload, int batchPerRank, int stepsPerEpoch) throws Exception {
        int parameters = workload.network(1).layout().size();
        out.printf("all-reduce over loopback TCP, %d ranks (threads of one process), median of %d:%n", ranks, TIMED);
        out.printf("  one TCP stream, 4 MiB: %.2f GB/s%n", loopbackCopyRate(1 << 20) / 1e9);
        for (int floats : new int[] {1 << 10, 1 << 16, parameters, 1 << 20, 1 << 22}) {
            double seconds = allReduceSeconds(ranks, floats);
            double bytes = 4.0 * floats;
            out.printf("  %,d floats (%.2f MiB): %.3f ms, algorithm bandwidth %.2f GB/s, bus bandwidth %.2f GB/s%n", floats,
                    bytes / (1 << 20), seconds * 1e3, bytes / seconds / 1e9, 2.0 * (ranks - 1) / ranks * bytes / seconds / 1e9);
        }
        SparkSession spark = SparkRun.session(master, "downhill bench");
        try {
            out.printf("%s on Spark %s (%s), batch %d a rank, %d steps an epoch, the second epoch timed:%n", workload.name(),
                    spark.version(), master.url(), batchPerRank, stepsPerEpoch);
            for (int n : ranks == 1 ? new int[] {1} : new int[] {1, ranks}) train(spark, workload, n, batchPerRank, stepsPerEpoch);
        } finally {
            if (!master.submitted()) spark.stop();
        }
    }

    private void train(SparkSession spark, Workload workload, int ranks, int batch, int stepsPerEpoch) {
        int rows = ranks * batch * stepsPerEpoch;
        DataSet data = workload.syntheticData(rows, 7);
        List<String> features = new ArrayList<>(), targets = new ArrayList<>();
        List<StructField> fields = new ArrayList<>();
        for (int c = 0; c < data.featureWidth(); c++) features.add("x" + c);
        for (int c = 0; c < data.targetWidth(); c++) targets.add("y" + c);
        for (String c : features) fields.add(DataTypes.createStructField(c, DataTypes.FloatType, false));
        for (String c : targets) fields.add(DataTypes.createStructField(c, DataTypes.FloatType, false));
        List<Row> list = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Object[] values = new Object[features.size() + targets.size()];
            for (int c = 0; c < features.size(); c++) values[c] = data.feature(r, c);
            for (int c = 0; c < targets.size(); c++) values[features.size() + c] = data.targets()[r * targets.size() + c];
            list.add(RowFactory.create(values));
        }
        Dataset<Row> frame = spark.createDataFrame(list, new StructType(fields.toArray(StructField[]::new)));
        TrainingPlan plan = new TrainingPlan(workload.network(1), Optimizer.Sgd.plain(1e-3f), Regularization.NONE,
                TrainingConfig.of(2, batch), features, targets, ranks, false, "auto", BackendOptions.defaults(), null, 1,
                Duration.ofMinutes(5), null);
        SparkTraining.Result r = SparkTraining.train(frame, plan);
        double seconds = r.epochNanos()[1] / 1e9;
        double exchange = r.lastEpochExchangeMillisPerStep(), step = r.lastEpochMillisPerStep();
        out.printf("  %d rank%s: %,.0f samples/s, %.2f ms a step, of which all-reduce %.2f ms (%s)%n", ranks, ranks == 1 ? " " : "s",
                rows / seconds, step, exchange, r.rankBackends().getFirst());
    }

    /** Median seconds of an all-reduce of {@code floats} floats among {@code ranks} threads. */
    private static double allReduceSeconds(int ranks, int floats) throws Exception {
        if (ranks == 1) return Double.NaN;
        ExecutorService threads = Executors.newFixedThreadPool(ranks);
        List<RingAllReduce> ring = RingAllReduce.inProcess(ranks, Duration.ofMinutes(1));
        try {
            List<CompletableFuture<long[]>> times = new ArrayList<>();
            for (RingAllReduce rank : ring) {
                times.add(CompletableFuture.supplyAsync(() -> {
                    float[] buffer = new float[floats];
                    long[] nanos = new long[TIMED];
                    for (int i = -3; i < TIMED; i++) {
                        long start = System.nanoTime();
                        rank.allReduceSum(buffer);
                        if (i >= 0) nanos[i] = System.nanoTime() - start;
                    }
                    return nanos;
                }, threads));
            }
            long[] rank0 = times.getFirst().get();
            for (CompletableFuture<long[]> t : times) t.get();
            Arrays.sort(rank0);
            return rank0[TIMED / 2] / 1e9;
        } finally {
            ring.forEach(RingAllReduce::close);
            threads.shutdownNow();
        }
    }

    /** Bytes a second of one loopback TCP stream sending {@code floats} floats' worth, median of the timed sends. */
    private static double loopbackCopyRate(int floats) throws Exception {
        byte[] payload = new byte[4 * floats];
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket sender = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket receiver = server.accept()) {
            InputStream in = receiver.getInputStream();
            OutputStream o = sender.getOutputStream();
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                long[] nanos = new long[TIMED];
                byte[] sink = new byte[payload.length];
                for (int i = -3; i < TIMED; i++) {
                    long start = System.nanoTime();
                    var sent = thread.submit(() -> {
                        o.write(payload);
                        o.flush();
                        return null;
                    });
                    in.readNBytes(sink, 0, sink.length);
                    sent.get();
                    if (i >= 0) nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                return payload.length / (nanos[TIMED / 2] / 1e9);
            } finally {
                thread.shutdownNow();
            }
        }
    }
}
