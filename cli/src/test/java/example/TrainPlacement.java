package example;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.checkpoint.Checkpoint;
import dev.downhill.data.CsvReader;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.Trainer;
import dev.downhill.train.TrainingConfig;
import dev.downhill.train.TrainingResult;

import java.nio.file.Path;
import java.util.Map;

/** CGPA and profile score → placement package, as the seed material trains it: a 2-2-1 network, row by row. */
public class TrainPlacement {
    public static void main(String[] args) {
        Path csv = Path.of(args.length > 0 ? args[0] : "examples/placement.csv");
        Path model = Path.of(args.length > 1 ? args[1] : "model.safetensors");
        Network net = Network.builder(2)
                .dense(2, Activation.SIGMOID)
                .dense(1, Activation.IDENTITY)
                .loss(Loss.MSE)
                .seed(42)
                .build();
        DataSet data = CsvReader.values("package_lpa").features("cgpa", "profile_score").read(csv);
        try (Backend backend = Backends.open("cpu", BackendOptions.defaults(), System.out::println);
             TrainableModel trainable = backend.load(net, net.initialParameters(), Optimizer.Sgd.plain(0.01f), data)) {
            TrainingResult result = new Trainer(TrainingConfig.of(50, 1).shuffled(42))
                    .train(trainable, data.rows(), null);
            System.out.printf("loss %.4f after epoch 1, %.4f after epoch %d%n", result.history().getFirst().loss(),
                    result.finalLoss(), result.history().size());
            Checkpoint.save(model, net, result.parameters(), Map.of());
        }
    }
}
