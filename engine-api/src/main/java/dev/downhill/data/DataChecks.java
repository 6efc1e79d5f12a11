package dev.downhill.data;

import dev.downhill.InputException;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

/** Checks that a data set can train or be scored by a network, before any work starts. */
public final class DataChecks {
    private DataChecks() {}

    /**
     * The rows in {@code features}, a row-major block of the network's inputs; every backend's
     * {@code predict} checks its argument here, so they refuse the same things the same way.
     */
    public static int featureRows(float[] features, Network network) {
        int in = network.inputWidth();
        if (features.length % in != 0) {
            throw new IllegalArgumentException(features.length + " feature values are not rows of " + in);
        }
        return features.length / in;
    }

    /** Widths must match; targets must be what the loss takes ({@link Loss#acceptsTarget}); cross-entropy targets must be a distribution per row. */
    public static void checkFits(Network network, DataSet data) {
        if (data.featureWidth() != network.inputWidth()) {
            throw new InputException("the data has " + data.featureWidth() + " feature columns " + data.featureNames()
                    + ", network " + network.widths() + " takes " + network.inputWidth());
        }
        if (data.targetWidth() != network.outputWidth()) {
            throw new InputException("the data has " + data.targetWidth() + " target columns " + data.targetNames()
                    + ", network " + network.widths() + " outputs " + network.outputWidth());
        }
        if (data.rows() == 0) throw new InputException("the data has no rows");
        int w = data.targetWidth();
        for (int r = 0; r < data.rows(); r++) {
            double sum = 0;
            for (int c = 0; c < w; c++) {
                float y = data.target(r, c);
                if (!network.loss().acceptsTarget(y)) {
                    throw new InputException("row " + (r + 1) + ", target '" + data.targetNames().get(c) + "': " + y
                            + " is outside " + network.loss().targetRange() + ", which " + network.loss().id() + " needs");
                }
                sum += y;
            }
            if (network.loss() == Loss.CROSS_ENTROPY && Math.abs(sum - 1) > 1e-3) {
                throw new InputException("row " + (r + 1) + ": cross-entropy targets sum to " + sum
                        + ", not 1 (give one class-label column or one-hot columns)");
            }
        }
    }
}
