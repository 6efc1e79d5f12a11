package dev.downhill.cli;

import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingListener;
import dev.downhill.train.TrainingResult;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * One line per epoch; on a terminal, also a live bar under the lines, redrawn in place as the
 * steps of an epoch go (so a long epoch does not look hung), with the time left at the pace so far.
 */
final class ProgressPrinter implements TrainingListener {
    private static final int BAR_WIDTH = 30;
    /** The bar is redrawn at most this often. */
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier clock;
    private int maxEpochs;
    /** Where the first report found the run (a resumed run starts part-way) and when: the pace is measured from there. */
    private double startFraction = -1;
    private long startNanos, lastDraw = Long.MIN_VALUE;

    ProgressPrinter(PrintStream out, boolean terminal) {
        this(out, terminal, System::nanoTime);
    }

    ProgressPrinter(PrintStream out, boolean terminal, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
    }

    static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void onStart(int maxEpochs) {
        this.maxEpochs = maxEpochs;
    }

    @Override
    public void onSteps(int epoch, int stepsDone, int stepsPerEpoch) {
        if (!terminal) return;
        long now = clock.getAsLong();
        if (lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        double fraction = (epoch + (double) stepsDone / stepsPerEpoch) / maxEpochs;
        out.print("\r\033[K" + bar(fraction) + "  epoch " + (epoch + 1) + ", step " + stepsDone + "/" + stepsPerEpoch
                + timeLeft(fraction, now));
        out.flush();
    }

    @Override
    public void onEpoch(EpochReport r) {
        StringBuilder line = new StringBuilder(String.format("epoch %" + digits() + "d/%d  loss %.6f", r.epoch(), maxEpochs, r.loss()));
        if (!Double.isNaN(r.trainingAccuracy())) line.append(String.format("  acc %.3f", r.trainingAccuracy()));
        if (!Double.isNaN(r.validationLoss())) line.append(String.format("  val_loss %.6f", r.validationLoss()));
        if (!Double.isNaN(r.validationAccuracy())) line.append(String.format("  val_acc %.3f", r.validationAccuracy()));
        if (!Double.isNaN(r.validationR2())) {
            line.append(String.format("  val_mae %.4g  val_rmse %.4g  val_r2 %.4f", r.validationMae(), r.validationRmse(), r.validationR2()));
        }
        if (!Double.isNaN(r.gradientNorm())) line.append(String.format("  grad_norm %.3g", r.gradientNorm()));
        line.append(String.format("  lr %.3g  %.1f ms", r.learningRate(), r.nanos() / 1e6));
        if (terminal) {
            double fraction = (double) r.epoch() / maxEpochs;
            out.print("\r\033[K" + line + "\n" + bar(fraction) + timeLeft(fraction, clock.getAsLong()));
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onFinish(TrainingResult result) {
        if (terminal) out.print("\r\033[K");
        out.flush();
    }

    private String bar(double fraction) {
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * fraction);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + String.format("] %3.0f%%", 100 * fraction);
    }

    /** The time left at the pace since this process started, once there is a pace to go by. */
    private String timeLeft(double fraction, long now) {
        if (startFraction < 0) {
            startFraction = fraction;
            startNanos = now;
        }
        double done = fraction - startFraction;
        if (done <= 0 || fraction >= 1) return "";
        long seconds = Math.round((now - startNanos) / 1e9 / done * (1 - fraction));
        return seconds >= 3600 ? String.format("  ETA %dh %02dm", seconds / 3600, seconds / 60 % 60)
                : seconds >= 60 ? String.format("  ETA %dm %02ds", seconds / 60, seconds % 60) : "  ETA " + seconds + "s";
    }

    private int digits() {
        return Integer.toString(maxEpochs).length();
    }
}
