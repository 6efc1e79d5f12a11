package dev.downhill.cuda;

import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;

import java.util.ArrayList;
import java.util.List;

/**
 * A network and a batch shaped for one epoch path, with one pairing of hidden activation, loss and
 * output activation: {@link #all()} has every pairing the enums allow on every path, so a new
 * activation or loss is enrolled in the path tests without a line changed.
 */
record PathCase(EpochPath path, Activation hidden, Loss loss, Activation output, Network network, int batch) {
    /** Rows per test epoch: several steps, the last one partial. */
    int rows() {
        return batch == 1 ? 37 : 3 * batch + batch / 2 + 1;
    }

    @Override
    public String toString() {
        return path + " " + hidden.id() + " → " + loss.id() + "/" + output.id() + " batch " + batch;
    }

    static List<PathCase> all() {
        List<PathCase> cases = new ArrayList<>();
        for (EpochPath path : EpochPath.values()) {
            for (Activation hidden : Activation.hidden()) {
                for (Loss loss : Loss.values()) {
                    for (Activation output : loss.outputActivations()) {
                        cases.add(of(path, hidden, loss, output, cases.size()));
                    }
                }
            }
        }
        return cases;
    }

    /** The smallest shape of each path that the faster paths do not fit. */
    private static PathCase of(EpochPath path, Activation hidden, Loss loss, Activation output, long seed) {
        int outputs = 2;
        Network.Builder b = switch (path) {
            case TINY_NET -> Network.builder(3).dense(4, hidden);
            case SMALL_NET -> Network.builder(3).dense(16, hidden).dense(16, hidden);
            case FUSED_MLP -> Network.builder(20).dense(64, hidden).dense(64, hidden);
            case STEP_GRAPH -> Network.builder(33).dense(100, hidden);
        };
        int batch = switch (path) {
            case TINY_NET -> 1;
            case SMALL_NET -> 7;
            case FUSED_MLP -> Mlp64Plan.MIN_BATCH + 88;
            case STEP_GRAPH -> 7;
        };
        Network network = b.dense(outputs, output).loss(loss).seed(seed).build();
        return new PathCase(path, hidden, loss, output, network, batch);
    }
}
