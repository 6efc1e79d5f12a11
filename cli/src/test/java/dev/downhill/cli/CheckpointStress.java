package dev.downhill.cli;

import dev.downhill.backend.OptimizerState;
import dev.downhill.checkpoint.TrainingCheckpoint;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.train.TrainingProgress;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Saves training checkpoints back to back until killed: checkpoint n holds parameters all equal
 * to n and optimiser state all equal to −n, so a reader can tell whether a file is whole and
 * what it claims. Prints "saving" once the first one is on disk.
 */
public final class CheckpointStress {
    static final Network NETWORK = Network.builder(256).dense(512, Activation.TANH).dense(256, Activation.IDENTITY).build();

    public static void main(String[] args) {
        Path folder = Path.of(args[0]);
        int start = Integer.parseInt(args[1]);
        int size = NETWORK.layout().size();
        for (int n = start; ; n++) {
            float[] params = new float[size], state = new float[size];
            Arrays.fill(params, n);
            Arrays.fill(state, -n);
            TrainingCheckpoint.save(folder, 2, NETWORK, params, new OptimizerState(n, state, state),
                    new TrainingProgress(n, 0, n, 0, List.of()), Map.of());
            if (n == start) System.out.println("saving");
        }
    }
}
