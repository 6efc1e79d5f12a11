package dev.downhill.bench.jmh;

import dev.downhill.bench.StandardWorkloads;
import dev.downhill.bench.ThroughputMeter;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.DeviceKind;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.workload.Workload;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One training epoch of a standard workload per invocation; the score is samples per second
 * (one operation = one training row). CPU runs use smaller batches for tcnn and wide, as
 * {@link StandardWorkloads#forDevice} states. Select combinations with {@code -p}; TF32 applies
 * to cuda only, so run {@code -p math=fp32} for the cpu backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class TrainingThroughputBenchmark {
    @Param({"tiny", "mnist", "tcnn", "wide"})
    public String workload;

    @Param({"cpu", "cuda"})
    public String backend;

    @Param({"fp32", "tf32"})
    public String math;

    private Backend open;
    private TrainableModel model;
    private int[] order;
    private int batch;

    @Setup(Level.Trial)
    public void setUp() {
        BackendOptions options = new BackendOptions(BackendOptions.MathMode.valueOf(math.toUpperCase(java.util.Locale.ROOT)));
        open = Backends.open(backend, options, s -> { });
        DeviceKind kind = Backends.deviceKind(backend);
        Workload w = StandardWorkloads.forDevice(Workload.named(workload), kind);
        Network net = w.network(0);
        int rows = ThroughputMeter.steps(w, ThroughputMeter.epochFlops(kind)) * w.batchSize();
        DataSet data = w.syntheticData(rows, 1);
        model = open.load(net, net.initialParameters(), Optimizer.Sgd.plain(1e-3f), data);
        order = IntStream.range(0, rows).toArray();
        batch = w.batchSize();
    }

    /** Samples per second: JMH counts one operation per invocation, so it is scaled by the rows. */
    @Benchmark
    public void epoch(Blackhole sink, RowCounter rows) {
        sink.consume(model.trainSteps(order, batch, 1e-3f));
        rows.rows += order.length;
    }

    /** Training rows processed, reported as a secondary score (rows per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class RowCounter {
        public long rows;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        open.close();
    }
}
