package dev.downhill.cli;

import dev.downhill.train.EpochReport;
import dev.downhill.train.TrainingListener;
import dev.downhill.train.TrainingResult;

import java.io.PrintStream;

/**
 * One line per epoch; on a terminal, also a live bar under the lines, redrawn in place.
 */
final class ProgressPrinter implements TrainingListener {
    private static final int BAR_WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private int maxEpochs;

    ProgressPrinter(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
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
    public void onEpoch(EpochReport r) {
        StringBuilder line = new StringBuilder(String.format("epoch %" + digits() + "d/%d  loss %.6f", r.epoch(), maxEpochs, r.loss()));
        if (!Double.isNaN(r.validationLoss())) line.append(String.format("  val_loss %.6f", r.validationLoss()));
        if (!Double.isNaN(r.validationAccuracy())) line.append(String.format("  val_acc %.3f", r.validationAccuracy()));
        if (!Double.isNaN(r.gradientNorm())) line.append(String.format("  grad_norm %.3g", r.gradientNorm()));
        line.append(String.format("  lr %.3g  %.1f ms", r.learningRate(), r.nanos() / 1e6));
        if (terminal) {
            out.print("\r\033[K" + line + "\n" + bar(r.epoch()));
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

    private String bar(int epoch) {
        int filled = (int) ((long) BAR_WIDTH * epoch / maxEpochs);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + epoch + "/" + maxEpochs;
    }

    private int digits() {
        return Integer.toString(maxEpochs).length();
    }
}
