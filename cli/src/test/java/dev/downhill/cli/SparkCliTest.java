package dev.downhill.cli;

import dev.downhill.checkpoint.Checkpoint;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** {@code downhill train --spark 'local[2]'}: two ranks on an embedded Spark, from the CLI. */
class SparkCliTest {
    @TempDir
    Path dir;

    @Test
    void theSeedExampleTrainsOnTwoRanksAndPredictsAsAnyModel() throws Exception {
        Path out = dir.resolve("seed");
        CliRun run = CliRun.of("train", "--spark", "local[2]", "--epochs", "3", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("on Spark 4.2.0 (local[2]), 2 ranks"), run.out());
        assertTrue(run.out().matches("(?s).*ranks: 2 on cpu .*"), run.out());
        assertTrue(run.out().contains("epoch 3/3  loss "), run.out());
        Path model = out.resolve("placement-package/model.safetensors");
        assertEquals("2", Checkpoint.load(model).metadata().get("downhill.spark.ranks"));
        assertTrue(Files.exists(out.resolve("placement-placed/model.safetensors")));
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--data", CliRun.SEED_CSV.toString(),
                "--output", dir.resolve("p.csv").toString());
        assertEquals(0, predict.code(), predict.err());
        assertEquals(101, Files.readAllLines(dir.resolve("p.csv")).size(), "a header and a prediction per row");
        assertFalse(Files.exists(out.resolve("placement-package/spark-checkpoints")), "a finished run's checkpoints are deleted");
    }

    /** A Parquet file Spark wrote, three classes in a label column: one-hot targets made by Spark. */
    @Test
    void aParquetFileOfLabelledRowsTrains() throws Exception {
        Path parquet = dir.resolve("rows.parquet");
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<org.apache.spark.sql.Row> rows = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 90; i++) {
                double a = random.nextDouble(), b = random.nextDouble();
                rows.add(RowFactory.create(a, b, a + b < 0.7 ? 0 : a > b ? 1 : 2));
            }
            StructType schema = new StructType(new StructField[] {DataTypes.createStructField("a", DataTypes.DoubleType, false),
                    DataTypes.createStructField("b", DataTypes.DoubleType, false),
                    DataTypes.createStructField("label", DataTypes.IntegerType, false)});
            spark.createDataFrame(rows, schema).write().parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        Path out = dir.resolve("parquet");
        CliRun run = CliRun.of("train", "--spark", "local[2]", "--data", parquet.toString(), "--target", "label",
                "--loss", "cross-entropy", "--hidden", "8", "--epochs", "4", "--batch", "5", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("a, b -> label=0, label=1, label=2"), run.out());
        Checkpoint model = Checkpoint.load(out.resolve("model.safetensors"));
        assertEquals("2-8-3", model.network().widths());
    }

    @Test
    void whatSparkRunsDoNotDoIsRefusedInOneLine() {
        CliRun validation = CliRun.of("train", "--spark", "local[2]", "--validation", "0.3", "--out", dir.resolve("v").toString());
        assertEquals(2, validation.code());
        assertEquals("downhill: error: --validation does not apply to --spark, which trains on every row for --epochs epochs "
                + "from a CSV or Parquet file", validation.err().strip());
        CliRun cluster = CliRun.of("train", "--spark", "spark://head:7077", "--out", dir.resolve("c").toString());
        assertEquals(2, cluster.code());
        assertEquals("downhill: error: --ranks: how many ranks to run on spark://head:7077 (local[N] runs N)", cluster.err().strip());
        // a rank that cannot open its backend says so through the others, in one line, without Spark retrying it
        CliRun backend = CliRun.of("train", "--spark", "local[2]", "--backend", "tpu", "--epochs", "1", "--out", dir.resolve("b").toString());
        assertEquals(2, backend.code());
        assertEquals("downhill: error: on Spark, rank 0: unknown backend 'tpu' (known: auto, cuda, cpu)", backend.err().strip());
    }
}
