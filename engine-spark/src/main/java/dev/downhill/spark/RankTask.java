package dev.downhill.spark;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.DeviceCollectives;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.data.DataSet;
import dev.downhill.data.Standardizer;
import dev.downhill.parallel.Collective;
import dev.downhill.parallel.DataParallelTrainer;
import dev.downhill.parallel.RingAllReduce;
import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingListener;
import dev.downhill.train.TrainingProgress;
import dev.downhill.train.TrainingResult;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Base64;
import java.util.List;

/**
 * One rank of a run: the body of a barrier task, run once per shard for the whole of training.
 * Each opens its backend; the ranks exchange their addresses and row counts once (Spark's allGather
 * polls once a second, too slow for every step) and join a collective: NCCL where every rank's
 * backend has it (CUDA with libnccl.so.2: the gradient stays on the GPUs), else a TCP ring. Every
 * rank runs the {@link DataParallelTrainer} loop; rank 0 writes the checkpoints and reports the parameters.
 * A retried stage starts every rank from the newest checkpoint.
 */
final class RankTask extends AbstractFunction1<Iterator<Row>, Iterator<RankReport>> implements Serializable {
    /** How a rank that cannot train (its backend cannot run there) says so in allGather. */
    private static final String MISTAKE = "!";
    private final TrainingPlan plan;
    /** Statistics of the whole data set, or null without standardisation. */
    private final Standardizer standardizer;

    RankTask(TrainingPlan plan, Standardizer standardizer) {
        this.plan = plan;
        this.standardizer = standardizer;
    }

    @Override
    public Iterator<RankReport> apply(Iterator<Row> rows) {
        BarrierTaskContext task = BarrierTaskContext.get();
        int rank = task.partitionId(), attempt = task.stageAttemptNumber();
        DataSet shard = read(rows);
        BarrierTaskInfo[] peers = task.getTaskInfos();
        String host = host(peers[rank].address());
        Backend opened;
        try {
            opened = Backends.open(plan.backend(), options(task), line -> {});
        } catch (InputException cannotRun) {
            // every rank must reach allGather, or the others wait there: the mistake travels in it
            task.allGather(MISTAKE + cannotRun.getMessage());
            return report(RankReport.mistake(rank, attempt, "rank " + rank + ": " + cannotRun.getMessage()));
        }
        try (Backend backend = opened; RingAllReduce.Endpoint endpoint = RingAllReduce.Endpoint.open(address(host))) {
            DeviceCollectives devices = backend.capability(DeviceCollectives.class).orElse(null);
            String id = rank == 0 && devices != null ? Base64.getEncoder().encodeToString(devices.newCollective()) : "-";
            String[] all = task.allGather(new Peer(host, endpoint.address().getPort(), shard.rows(),
                    devices != null, id).message());
            for (int r = 0; r < all.length; r++) {
                if (all[r].startsWith(MISTAKE)) {
                    return report(RankReport.mistake(rank, attempt, "rank " + r + ": " + all[r].substring(MISTAKE.length())));
                }
            }
            List<Peer> ranks = java.util.Arrays.stream(all).map(Peer::parse).toList();
            int[] shardRows = ranks.stream().mapToInt(Peer::rows).toArray();
            boolean onDevices = ranks.size() > 1 && ranks.stream().allMatch(Peer::hasDeviceCollectives);
            try (Collective collective = all.length == 1 ? Collective.single()
                    : onDevices ? devices.join(Base64.getDecoder().decode(ranks.getFirst().deviceCollective()), all.length, rank)
                    : endpoint.join(rank, ranks.stream().map(Peer::address).toList(), plan.timeout());
                 TrainableModel model = backend.load(plan.network(), plan.network().initialParameters(), plan.optimizer(), shard,
                         plan.regularization())) {
                String where = backend.name() + " (" + backend.device() + ")" + (all.length == 1 ? ""
                        : onDevices ? ", NCCL" : ", TCP ring");
                return report(train(task, rank, attempt, collective, where, model, shardRows));
            }
        }
    }

    /**
     * What a rank tells the others once, in allGather: where its ring endpoint listens, its rows,
     * whether its backend joins device collectives, and (rank 0) the device collective's id.
     */
    private record Peer(String host, int port, int rows, boolean hasDeviceCollectives, String deviceCollective) {
        String message() {
            return host + " " + port + " " + rows + " " + hasDeviceCollectives + " " + deviceCollective;
        }

        static Peer parse(String message) {
            String[] parts = message.split(" ");
            return new Peer(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Boolean.parseBoolean(parts[3]),
                    parts[4]);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(host, port);
        }
    }

    private static Iterator<RankReport> report(RankReport report) {
        return CollectionConverters.asScala(List.of(report).iterator());
    }

    private RankReport train(BarrierTaskContext task, int rank, int attempt, Collective ring, String where,
                             TrainableModel model, int[] shardRows) {
        HadoopCheckpoints checkpoints = plan.checkpoints() == null ? null : new HadoopCheckpoints(plan.checkpoints());
        TrainingProgress from = TrainingProgress.start();
        TrainingCheckpoint.Saved newest = checkpoints == null ? null : checkpoints.newest();
        if (newest != null) {                           // a retried stage: every rank resumes where rank 0 last saved
            model.restore(newest.parameters(), newest.optimizer());
            from = newest.progress();
        }
        long[] steps = {0};
        DataParallelTrainer trainer = new DataParallelTrainer(plan.config(), ring).stopWhen(task::isInterrupted)
                .stepTimeout(plan.timeout())
                .listener(new TrainingListener() {
                    @Override public void onSteps(int epoch, int stepsDone, int stepsPerEpoch) {
                        long step = (long) epoch * stepsPerEpoch + stepsDone;
                        steps[0] = step;
                        if (plan.listener() != null) plan.listener().onStep(attempt, rank, step);
                    }
                });
        if (checkpoints != null && rank == 0) {
            trainer.checkpoints(plan.checkpointEvery(), progress -> checkpoints.save(plan.network(), model.parameters(),
                    model.optimizerState(), progress));
        }
        TrainingResult result = trainer.resume(model, shardRows, from);
        if (result.interrupted()) throw new IllegalStateException("rank " + rank + " was stopped: Spark killed its task");
        if (rank != 0) return new RankReport(rank, where, attempt, steps[0], trainer.exchangeNanosByEpoch(), null, null, null);
        List<EpochReport> history = result.history();
        return new RankReport(rank, where, attempt, steps[0], trainer.exchangeNanosByEpoch(), result.parameters(),
                history.stream().mapToDouble(EpochReport::loss).toArray(), history.stream().mapToLong(EpochReport::nanos).toArray());
    }

    /** The backend's options: on the GPU Spark assigned this task, where it assigned one. */
    private BackendOptions options(BarrierTaskContext task) {
        ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
        if (gpu == null || gpu.addresses().length == 0) return plan.options();
        return plan.options().onDevice(Integer.parseInt(gpu.addresses()[0].strip()));
    }

    /** This shard's rows as a data set: the features (standardised with the whole data's statistics) and the targets. */
    private DataSet read(Iterator<Row> rows) {
        int fw = plan.features().size(), tw = plan.targets().size();
        FloatList x = new FloatList(), y = new FloatList();
        while (rows.hasNext()) {
            Row row = rows.next();
            for (int c = 0; c < fw; c++) x.add((float) row.getDouble(c));
            for (int c = 0; c < tw; c++) y.add((float) row.getDouble(fw + c));
        }
        float[] features = x.toArray();
        return DataSet.of(standardizer == null ? features : standardizer.apply(features), fw, y.toArray(), tw);
    }

    /** The host part of an executor's "host:port". */
    private static String host(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the executor's host " + host + " does not resolve: " + e.getMessage(), e);
        }
    }

    /** A growing float array. */
    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float v) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
