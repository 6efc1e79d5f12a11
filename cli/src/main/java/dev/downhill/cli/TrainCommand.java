package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.BackendOptions;
import dev.downhill.data.CsvReader;
import dev.downhill.network.Activation;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Initializer;
import dev.downhill.network.Loss;
import dev.downhill.optim.LearningRateSchedule;
import dev.downhill.train.StoppingRule;
import dev.downhill.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code downhill train}: with no {@code --data}, the seed example (placement package by
 * regression, placed yes/no by classification); otherwise any CSV file.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a network on a CSV file and saves a checkpoint and a loss plot.",
                "Without --data, trains the seed example: students' CGPA and profile score -> "
                        + "placement package (MSE, 2-2-1) and placed yes/no (BCE)."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "CSV file with a header row, or NumPy (.npy, .npz) or MNIST IDX (…-images-idx3-ubyte) arrays")
    Path data;

    @Option(names = "--workload", paramLabel = "NAME", description = "train a standard workload (tiny, mnist, tcnn, wide) on random data made in memory")
    String workload;

    @Option(names = "--rows", paramLabel = "N", description = "rows of random data for --workload (default: 100 batches)")
    Integer rows;

    @Option(names = "--target", paramLabel = "COL", split = ",", description = "target column(s); several allowed")
    List<String> targets;

    @Option(names = "--features", paramLabel = "COL", split = ",", description = "feature columns (default: all others)")
    List<String> features;

    @Option(names = "--categorical", paramLabel = "COL", split = ",",
            description = "feature columns of strings: each becomes one-hot features COL=category (categories saved with the model)")
    List<String> categorical;

    @Option(names = "--hidden", paramLabel = "WIDTHS", split = ",", description = "hidden layer widths, e.g. 16,16 (default: 16; 0 for none)")
    List<Integer> hidden;

    @Option(names = "--activation", paramLabel = "ACT", completionCandidates = HiddenActivations.class,
            description = "hidden activation: ${COMPLETION-CANDIDATES} (default: relu)")
    String activation;

    /** The names --activation takes, for its help: read from the enum, so a new activation is listed without a line here. */
    static final class HiddenActivations implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Activation.hidden().stream().map(Activation::id).iterator();
        }
    }

    @Option(names = "--loss", paramLabel = "LOSS", description = "mse, bce or cross-entropy (default: mse)")
    String loss;

    @Option(names = "--classes", paramLabel = "K", description = "cross-entropy with one label column: the number of classes (default: largest label + 1)")
    Integer classes;

    @Option(names = "--initializer", paramLabel = "INIT", description = "pytorch, xavier or he (default: pytorch)")
    String initializer;

    @Option(names = "--init", paramLabel = "CKPT", description = "start from a safetensors checkpoint's parameters (Downhill's or PyTorch's)")
    Path init;

    @Mixin
    OptimizerOptions optimizer = new OptimizerOptions();

    @Option(names = "--clip-norm", paramLabel = "C",
            description = "clip each step's gradient to global norm C, as torch.nn.utils.clip_grad_norm_")
    Double clipNorm;

    @Option(names = "--dropout", paramLabel = "P",
            description = "inverted dropout on every hidden layer in training: each unit zeroed with probability P, "
                    + "the rest scaled by 1/(1-P); off in evaluation and predict (default: 0)")
    Double dropout;

    @Option(names = "--schedule", paramLabel = "SPEC", description = "constant, step:SIZE:GAMMA, exp:GAMMA or cosine:WARMUP:MIN (default: constant)")
    String schedule;

    @Option(names = "--epochs", paramLabel = "N", description = "most epochs to run (default: 100)")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "rows per step; 1 = row by row (default: 32)")
    Integer batch;

    @Option(names = "--shuffle", negatable = true, description = "visit rows in a seeded random order each epoch (default: on)")
    Boolean shuffle;

    @Option(names = "--seed", paramLabel = "N", description = "seed of initialisation, split and shuffling (default: 42)")
    Long seed;

    @Option(names = "--tolerance", paramLabel = "TOL", description = "stop when the epoch loss changes by less than TOL for --patience epochs")
    Double tolerance;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "5", description = "epochs for --tolerance (default: 5)")
    int patience;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "stop when the validation loss has not improved for PATIENCE epochs; the saved model is the best epoch's")
    Integer earlyStopping;

    @Option(names = "--min-delta", paramLabel = "D",
            description = "the least fall of the validation loss that counts as an improvement for --early-stopping (default: 0)")
    Double minDelta;

    @Option(names = "--grad-tolerance", paramLabel = "TOL", description = "stop when the full-batch gradient norm is below TOL")
    Double gradientTolerance;

    @Option(names = "--validation", paramLabel = "FRACTION", description = "rows held out for validation (default: 0.2; 0 for none)")
    Double validation;

    @Option(names = "--standardize", negatable = true, description = "standardise features; saved with the model (default: on)")
    Boolean standardize;

    @Option(names = "--backend", paramLabel = "NAME", description = "auto, cpu or cuda (default: auto, or -Ddownhill.backend / DOWNHILL_BACKEND)")
    String backend;

    @Option(names = "--math", paramLabel = "MODE", defaultValue = "fp32", description = "fp32 or tf32 (GPU tensor cores)")
    String math;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "save a training checkpoint (parameters, optimiser state, progress) every N epochs into OUT/checkpoints; Ctrl-C always saves one")
    int checkpointEvery = 0;

    // defaults as initial values, not annotations: explain and sweep-lr drop these options, and a dropped option's annotation default never applies
    @Option(names = "--keep", paramLabel = "K", description = "training checkpoints kept (default: 3)")
    int keep = 3;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run whose checkpoints are in DIR exactly where it stopped")
    Path resume;

    @Option(names = "--report", paramLabel = "DIR", description = "write an HTML report of the run (settings, curves, time per epoch, final metrics) into DIR")
    Path report;

    @Option(names = "--json", paramLabel = "FILE",
            description = "also write one JSON object per epoch into FILE as the run goes, and one for how it ended")
    Path json;

    @Option(names = "--quiet", description = "print nothing but errors (the files are written as ever)")
    boolean quiet;

    @Option(names = "--drop-bad-rows", description = "leave out data rows with problems (and say how many) instead of failing")
    boolean dropBadRows;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "train data-parallel on Apache Spark: local[N] runs N ranks in this process; 'submitted' uses the "
                    + "master spark-submit set (CSV or Parquet data, read by Spark)")
    String spark;

    @Option(names = "--ranks", paramLabel = "N", description = "with --spark: ranks, one barrier task each (default: N of local[N])")
    Integer ranks;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for model.safetensors and loss.png (default: out/NAME; the seed example writes a sub-folder per run)")
    Path out;

    /** This command as picocli parsed it: --resume checks that no other option came with it. */
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (resume != null) return resume();
        if (spark != null) return trainOnSpark();
        Interrupt.install();
        List<RunSettings> runs = runs();
        try (JsonLinesLog log = json == null ? JsonLinesLog.NONE : JsonLinesLog.open(json, false)) {
            for (RunSettings run : runs) {
                TrainingRun.Outcome outcome = new TrainingRun(run, output(run), log).run(null);
                if (outcome.interrupted()) return Interrupt.exitCode();
            }
        }
        return 0;
    }

    /** Each run on Spark, in one session; Spark must be on the class path (bin/downhill puts it there for --spark). */
    private int trainOnSpark() {
        SparkMaster master = new SparkMaster(spark);
        int n = master.ranks(ranks);
        java.util.Map<String, Object> unsupported = new java.util.LinkedHashMap<>();
        unsupported.put("--validation", validation != null && validation > 0 ? validation : null);
        unsupported.put("--early-stopping", earlyStopping);
        unsupported.put("--tolerance", tolerance);
        unsupported.put("--grad-tolerance", gradientTolerance);
        unsupported.put("--categorical", categorical);
        unsupported.put("--init", init);
        unsupported.put("--workload", workload);
        unsupported.put("--report", report);
        unsupported.put("--json", json);
        unsupported.forEach((option, value) -> {
            if (value != null) {
                throw new InputException(option + " does not apply to --spark, which trains on every row for --epochs epochs "
                        + "from a CSV or Parquet file");
            }
        });
        SparkMaster.requireSpark();
        validation = 0.0;              // so that the settings saved with the model say what ran: every row trained on
        List<RunSettings> runs = runs();
        var session = SparkRun.session(master, "downhill train");
        try {
            for (RunSettings run : runs) new SparkRun(run, session, n, output(run)).run();
        } finally {
            if (!master.submitted()) session.stop();
        }
        return 0;
    }

    /** Every number given on the command line within its range, before any work: one line per mistake, no surprises later. */
    void checkRanges() {
        if (checkpointEvery < 0) throw new InputException("--checkpoint-every must be >= 0, got " + checkpointEvery);
        if (keep < 1) throw new InputException("--keep must be at least 1, got " + keep);
        if (epochs != null && epochs < 1) throw new InputException("--epochs must be at least 1, got " + epochs);
        if (batch != null && batch < 1) throw new InputException("--batch must be at least 1, got " + batch);
        if (rows != null && rows < 1) throw new InputException("--rows must be at least 1, got " + rows);
        if (rows != null && workload == null) throw new InputException("--rows sizes a --workload's random data; a CSV has its own rows");
        if (patience < 1) throw new InputException("--patience must be at least 1, got " + patience);
        if (validation != null && !(validation >= 0 && validation < 1)) {
            throw new InputException("--validation must be a fraction in [0, 1), got " + validation);
        }
        if (tolerance != null && !(tolerance > 0 && tolerance < Double.POSITIVE_INFINITY)) {
            throw new InputException("--tolerance must be a positive number, got " + tolerance);
        }
        if (gradientTolerance != null && !(gradientTolerance > 0 && gradientTolerance < Double.POSITIVE_INFINITY)) {
            throw new InputException("--grad-tolerance must be a positive number, got " + gradientTolerance);
        }
        if (clipNorm != null && !(clipNorm > 0 && clipNorm < Double.POSITIVE_INFINITY)) {
            throw new InputException("--clip-norm must be a positive number, got " + clipNorm);
        }
        if (dropout != null && !(dropout >= 0 && dropout < 1)) {
            throw new InputException("--dropout must be a probability in [0, 1), got " + dropout);
        }
        if (earlyStopping != null && earlyStopping < 1) throw new InputException("--early-stopping must be at least 1 epoch, got " + earlyStopping);
        if (minDelta != null && !(minDelta >= 0 && minDelta < Double.POSITIVE_INFINITY)) {
            throw new InputException("--min-delta must be a number >= 0, got " + minDelta);
        }
        if (minDelta != null && earlyStopping == null) throw new InputException("--min-delta is the improvement --early-stopping counts; give --early-stopping too");
        if (hidden != null) {
            for (int width : hidden) {
                if (width < 0 || width == 0 && hidden.size() > 1) {
                    throw new InputException("--hidden widths must be at least 1 (or a single 0 for no hidden layer), got " + hidden);
                }
            }
        }
        if (classes != null) {
            if (loss == null || Loss.parse(loss) != Loss.CROSS_ENTROPY) {
                throw new InputException("--classes counts the classes of a cross-entropy run; add --loss cross-entropy");
            }
            if (classes < 2 || classes > dev.downhill.data.CsvReader.MAX_CLASSES) {
                throw new InputException("--classes must be between 2 and " + dev.downhill.data.CsvReader.MAX_CLASSES
                        + ", got " + classes);
            }
            if (targets != null && targets.size() != 1) {
                throw new InputException("--classes reads one column of class labels; --target names " + targets.size());
            }
        }
        if (targets != null) {
            for (int i = 0; i < targets.size(); i++) {
                if (targets.subList(0, i).contains(targets.get(i))) {
                    throw new InputException("--target names column '" + targets.get(i) + "' twice");
                }
            }
        }
    }

    /**
     * Options that would do nothing are errors: the seed example has the seed material's network
     * and loss, a workload its own network shape, loss and data.
     */
    private void refuseUnused() {
        if (data != null) return;
        String what = workload != null ? "--workload, which has its own network, loss and random data"
                : "the seed example, whose 2-2-1 network and loss are the seed material's (give --data and --target to train your own)";
        java.util.Map<String, Object> given = new java.util.LinkedHashMap<>();
        if (workload == null) {
            given.put("--hidden", hidden);
            given.put("--activation", activation);
            given.put("--rows", rows);
        }
        given.put("--loss", loss);
        given.put("--features", features);
        given.put("--classes", classes);
        given.put("--categorical", categorical);
        given.forEach((option, value) -> {
            if (value != null) throw new InputException(option + " does not apply to " + what);
        });
    }

    /** Options of {@code train} that {@code explain} and {@code sweep-lr} have no use for: they save nothing and resume nothing. */
    static final List<String> OUTPUT_OPTIONS = List.of("--resume", "--report", "--checkpoint-every", "--keep", "--out", "--spark",
            "--ranks");

    /** The run named {@code name} (the seed example has two), or the first when {@code name} is null. */
    RunSettings run(String name) {
        List<RunSettings> runs = runs();
        if (name == null) return runs.getFirst();
        return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new InputException(
                "no run named '" + name + "' (runs: " + String.join(", ", runs.stream().map(RunSettings::name).toList()) + ")"));
    }

    List<RunSettings> runs() {
        refuseUnused();
        checkRanges();
        return workload != null ? List.of(standardWorkload()) : data == null ? seedExample() : List.of(custom());
    }

    /** Continues the run whose newest intact checkpoint is in --resume, with the settings saved in it. */
    private int resume() {
        List<String> given = spec.commandLine().getParseResult().expandedArgs();
        for (String arg : given) {
            if (arg.startsWith("--") && !arg.equals("--resume") && !arg.startsWith("--resume=")) {
                throw new InputException("--resume takes no other options: the run's settings are in its checkpoint ("
                        + arg + ")");
            }
        }
        var saved = dev.downhill.checkpoint.TrainingCheckpoint.loadLatestIntact(resume, System.out::println);
        RunSettings run = RunSettingsJson.read(saved.metadata(), saved.file());
        Interrupt.install();
        int done = saved.progress().epoch(), step = saved.progress().step();
        // a checkpoint's name counts the epochs done: e000014 is after epoch 14, not epoch 15
        System.out.println("resuming " + run.name() + " from " + saved.file() + " ("
                + (step == 0 ? "after epoch " + done : "epoch " + (done + 1) + ", after step " + step) + ")");
        // the run's own --json and --quiet, as it was started: its log goes on where it stopped
        Path json = run.output().json();
        try (JsonLinesLog log = json == null ? JsonLinesLog.NONE : JsonLinesLog.open(json, true)) {
            return new TrainingRun(run, output(run), log).run(saved).interrupted() ? Interrupt.exitCode() : 0;
        }
    }

    /** The seed material's example, twice: the package by regression, placed yes/no by classification. */
    private List<RunSettings> seedExample() {
        if (targets != null) throw new InputException("--target needs --data (the seed example has its own targets)");
        Path csv = SeedExample.csv();
        List<DenseLayer> twoSigmoid = List.of(new DenseLayer(2, Activation.SIGMOID));
        List<String> features = List.of("cgpa", "profile_score");
        return List.of(
                settings("placement-package", csvData(csv, List.of("package_lpa"), features, Loss.MSE),
                        twoSigmoid, Activation.IDENTITY, Loss.MSE, "sgd", 0.05f, 50, 1),
                settings("placement-placed", csvData(csv, List.of("placed"), features, Loss.BCE),
                        twoSigmoid, Activation.SIGMOID, Loss.BCE, "sgd", 0.1f, 50, 1));
    }

    /** A standard workload with its own network, loss, batch and SGD(lr 1e-3), on random rows, not standardised. */
    private RunSettings standardWorkload() {
        if (data != null || targets != null) throw new InputException("--workload trains on its own random data: drop --data and --target");
        dev.downhill.workload.Workload w = dev.downhill.workload.Workload.named(workload);
        var net = w.network(0);
        int b = batch != null ? batch : w.batchSize();
        List<DenseLayer> layers = hidden == null ? net.layers().subList(0, net.layers().size() - 1) : hiddenLayers(
                activation == null ? w.hidden() : Activation.parse(activation));
        var dataSpec = new RunSettings.DataSpec(null, w, rows != null ? rows : 100 * b, List.of(), List.of(),
                CsvReader.Targets.VALUES, 0, validation != null ? validation : 0, standardize != null && standardize, dropBadRows,
                List.of());
        return settings(w.name(), dataSpec, layers, net.outputLayer().activation(), w.loss(), "sgd", 1e-3f, 10, w.batchSize());
    }

    private RunSettings custom() {
        if (targets == null || targets.isEmpty()) throw new InputException("--data needs --target naming the target column(s)");
        Loss l = loss == null ? Loss.MSE : Loss.parse(loss);
        List<DenseLayer> layers = hiddenLayers(activation == null ? Activation.RELU : Activation.parse(activation));
        Activation output = switch (l) {
            case MSE -> Activation.IDENTITY;
            case BCE -> Activation.SIGMOID;
            case CROSS_ENTROPY -> Activation.SOFTMAX;
        };
        String name = out != null ? out.getFileName().toString() : data.getFileName().toString().replaceFirst("\\.csv$", "");
        return settings(name, csvData(data, targets, features == null ? List.of() : features, l), layers, output, l, "sgd", 0.01f, 100, 32);
    }

    /** A CSV file's columns, as --validation, --standardize and --drop-bad-rows say. */
    private RunSettings.DataSpec csvData(Path csv, List<String> targetCols, List<String> featureCols, Loss l) {
        CsvReader.Targets encoding = l == Loss.CROSS_ENTROPY && targetCols.size() == 1
                ? CsvReader.Targets.CLASS_INDEX : CsvReader.Targets.VALUES;
        return new RunSettings.DataSpec(csv, null, 0, targetCols, featureCols, encoding, classes == null ? 0 : classes,
                validation != null ? validation : 0.2, standardize == null || standardize, dropBadRows,
                categorical == null ? List.of() : categorical);
    }

    private RunSettings settings(String name, RunSettings.DataSpec dataSpec, List<DenseLayer> layers, Activation output, Loss l,
                                 String defaultOptimizer, float defaultRate, int defaultEpochs, int defaultBatch) {
        int n = epochs != null ? epochs : defaultEpochs;
        long s = seed != null ? seed : 42L;
        TrainingConfig config = TrainingConfig.of(n, batch != null ? batch : defaultBatch)
                .withSchedule(schedule == null ? new LearningRateSchedule.Constant() : LearningRateSchedule.parse(schedule, n))
                .withStopping(stopping());
        if (shuffle == null || shuffle) config = config.shuffled(s);
        var network = new RunSettings.NetworkSpec(layers, output, l,
                initializer == null ? Initializer.PYTORCH : Initializer.parse(initializer), init);
        var training = new RunSettings.TrainingSpec(optimizer.resolve(defaultOptimizer, defaultRate), config, backend, mathMode(),
                clipNorm == null ? 0 : clipNorm, dropout == null ? 0 : dropout);
        var outputSpec = new RunSettings.OutputSpec(outputFolder(name), checkpointEvery, keep,
                report == null ? null : data == null && workload == null ? report.resolve(name) : report, json, quiet);
        return new RunSettings(name, s, dataSpec, network, training, outputSpec);
    }

    /** The layers of --hidden (default one of 16; "0" for none) with the given activation. */
    private List<DenseLayer> hiddenLayers(Activation act) {
        List<DenseLayer> layers = new ArrayList<>();
        for (int width : hidden == null ? List.of(16) : hidden) {
            if (width == 0 && hidden.size() == 1) break;
            layers.add(new DenseLayer(width, act));
        }
        return layers;
    }

    /** --out itself for a CSV run; a sub-folder per run for the seed example's two runs. */
    private Path outputFolder(String name) {
        if (out == null) return Path.of("out", name);
        return data == null && workload == null ? out.resolve(name) : out;
    }

    /** Where a run's words go: standard output, or nowhere with --quiet. */
    private static java.io.PrintStream output(RunSettings run) {
        return run.output().quiet() ? new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) : System.out;
    }

    private StoppingRule stopping() {
        if ((tolerance != null ? 1 : 0) + (gradientTolerance != null ? 1 : 0) + (earlyStopping != null ? 1 : 0) > 1) {
            throw new InputException("choose one stopping rule: --tolerance, --grad-tolerance or --early-stopping");
        }
        if (earlyStopping != null) return new StoppingRule.EarlyStopping(earlyStopping, minDelta != null ? minDelta : 0);
        if (tolerance != null) return new StoppingRule.LossPlateau(tolerance, patience);
        if (gradientTolerance != null) return new StoppingRule.GradientNorm(gradientTolerance);
        return new StoppingRule.FixedEpochs();
    }

    private BackendOptions.MathMode mathMode() {
        return switch (math.toLowerCase(java.util.Locale.ROOT)) {
            case "fp32" -> BackendOptions.MathMode.FP32;
            case "tf32" -> BackendOptions.MathMode.TF32;
            default -> throw new InputException("unknown math mode '" + math + "' (expected fp32 or tf32)");
        };
    }
}
