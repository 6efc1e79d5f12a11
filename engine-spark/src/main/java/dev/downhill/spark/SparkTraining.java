package dev.downhill.spark;

import dev.downhill.InputException;
import dev.downhill.data.Standardizer;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.*;

/**
 * Synchronous data-parallel training of a Downhill network on a Spark DataFrame: one long barrier
 * task per rank, each training on its shard with the ranks' gradients summed over a TCP ring every
 * step ({@link dev.downhill.parallel.DataParallelTrainer}). The standardisation statistics are
 * computed by Spark over the whole data set. A shuffle follows the barrier stage so that Spark
 * retries the stage when a rank fails; the ranks resume from the newest checkpoint.
 */
public final class SparkTraining {
    private SparkTraining() {}

    /**
     * What a run gives back: the parameters, each epoch's loss and time, and where and how the ranks ran.
     *
     * @param steps                  steps over the run, every epoch the same number
     * @param lastEpochExchangeNanos by rank: time in the all-reduce (waiting for the slowest rank included)
     *                               in the last epoch, whose time is {@code epochNanos}' last
     */
    public record Result(float[] parameters, double[] epochLosses, long[] epochNanos, Standardizer standardizer,
                         List<String> rankBackends, int attempts, long steps, long[] lastEpochExchangeNanos, long rows) {
        /** The all-reduce's time a step in the last epoch, of the rank that waited longest. */
        public double lastEpochExchangeMillisPerStep() {
            return java.util.Arrays.stream(lastEpochExchangeNanos).max().orElse(0) / 1e6 / (steps / epochLosses.length);
        }

        /** A step's time in the last epoch. */
        public double lastEpochMillisPerStep() {
            return epochNanos[epochNanos.length - 1] / 1e6 / (steps / epochLosses.length);
        }
    }

    /** Trains as {@code plan} says on {@code frame}'s rows. */
    public static Result train(Dataset<Row> frame, TrainingPlan plan) {
        List<String> columns = new ArrayList<>(plan.features());
        columns.addAll(plan.targets());
        for (String c : columns) {
            if (!List.of(frame.columns()).contains(c)) {
                throw new InputException("the data has no column '" + c + "' (it has " + String.join(", ", frame.columns()) + ")");
            }
        }
        Dataset<Row> numbers = frame.select(columns.stream().map(c -> col(c).cast("double").as(c)).toArray(Column[]::new));
        long rows = checkedRows(frame, numbers, columns);
        if (rows < plan.ranks()) throw new InputException(rows + " rows cannot be shared among " + plan.ranks() + " ranks");
        Standardizer standardizer = plan.standardize() ? statistics(numbers, plan.features()) : null;
        HadoopCheckpoints checkpoints = plan.checkpoints() == null ? null : new HadoopCheckpoints(plan.checkpoints());
        if (checkpoints != null) checkpoints.deleteAll();       // a retry resumes this run's steps, never an older run's
        RDD<Row> shards = shards(numbers.javaRDD(), plan.ranks()).rdd();
        JavaRDD<RankReport> ranks = shards.barrier().mapPartitions(new RankTask(plan, standardizer), false,
                ClassTag$.MODULE$.apply(RankReport.class)).toJavaRDD();
        // a shuffle after the barrier stage makes it a map stage, which Spark retries when a task fails
        List<RankReport> reports = new ArrayList<>(ranks.mapToPair(r -> new Tuple2<>(r.rank(), r))
                .partitionBy(new HashPartitioner(1)).values().collect());
        for (RankReport r : reports) {
            if (r.mistake() != null) throw new InputException("on Spark, " + r.mistake());
        }
        reports.sort(Comparator.comparingInt(RankReport::rank));
        RankReport first = reports.getFirst();
        if (checkpoints != null) checkpoints.deleteAll();
        return new Result(first.parameters(), first.epochLosses(), first.epochNanos(), standardizer,
                reports.stream().map(RankReport::backend).toList(), first.attempt() + 1, first.steps(),
                reports.stream().mapToLong(r -> r.epochExchangeNanos()[r.epochExchangeNanos().length - 1]).toArray(), rows);
    }

    /**
     * Row i (in the DataFrame's order) to rank i mod ranks, in order within each rank: the shards,
     * and so a run, are the same every time for the same input.
     */
    static JavaRDD<Row> shards(JavaRDD<Row> rows, int ranks) {
        JavaPairRDD<Long, Row> indexed = rows.zipWithIndex().mapToPair(Tuple2::swap);
        return indexed.partitionBy(new RankPartitioner(ranks)).mapPartitions(it -> {
            List<Tuple2<Long, Row>> part = new ArrayList<>();
            it.forEachRemaining(part::add);
            part.sort(Comparator.comparingLong(Tuple2::_1));
            return part.stream().map(Tuple2::_2).iterator();
        }, true);
    }

    /** Every value a number: a cell that is empty or not a number is an error naming its column, never a dropped row. */
    private static long checkedRows(Dataset<Row> frame, Dataset<Row> numbers, List<String> columns) {
        List<Column> counts = new ArrayList<>();
        counts.add(count(lit(1)));
        for (String c : columns) counts.add(sum(when(col(c).isNull().or(isnan(col(c))), 1).otherwise(0)));
        Row r = numbers.agg(counts.getFirst(), counts.subList(1, counts.size()).toArray(Column[]::new)).first();
        for (int i = 0; i < columns.size(); i++) {
            long bad = r.getLong(i + 1);
            if (bad > 0) {
                long empty = frame.filter(col(columns.get(i)).isNull()).count();
                throw new InputException("column '" + columns.get(i) + "': " + bad + " of " + r.getLong(0) + " rows are "
                        + (empty == bad ? "empty" : "empty or not a number"));
            }
        }
        return r.getLong(0);
    }

    /** Mean and population standard deviation of each feature over every row, as the CLI's standardisation (σ = 1 for a constant column). */
    private static Standardizer statistics(Dataset<Row> numbers, List<String> features) {
        List<Column> stats = new ArrayList<>();
        for (String f : features) {
            stats.add(avg(col(f)));
            stats.add(stddev_pop(col(f)));
        }
        Row r = numbers.agg(stats.getFirst(), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
        double[] mean = new double[features.size()], sigma = new double[features.size()];
        for (int c = 0; c < features.size(); c++) {
            mean[c] = r.getDouble(2 * c);
            sigma[c] = r.getDouble(2 * c + 1);
        }
        return Standardizer.of(mean, sigma);
    }

    /** Rank r's partition holds the rows whose index is r modulo the ranks. */
    private static final class RankPartitioner extends org.apache.spark.Partitioner {
        private final int ranks;

        RankPartitioner(int ranks) {
            this.ranks = ranks;
        }

        @Override public int numPartitions() { return ranks; }

        @Override public int getPartition(Object key) { return (int) ((Long) key % ranks); }
    }
}
