package dev.downhill.testing;

import dev.downhill.backend.Backend;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.DropoutMask;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.NonFiniteLossException;
import dev.downhill.train.Trainer;
import dev.downhill.train.TrainingConfig;
import dev.downhill.train.TrainingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What every backend must do, written once: gradients that match finite differences of an
 * independent double-precision implementation, the optimisers' update rules, training that
 * reaches known answers, the divergence guard and determinism. A backend's test extends this
 * and says how to open the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContract {
    private Backend backend;

    protected abstract Backend openBackend();

    @BeforeAll
    void open() {
        backend = openBackend();
    }

    @AfterAll
    void close() {
        if (backend != null) backend.close();
    }

    protected Backend backend() {
        return backend;
    }

    /**
     * Every hidden activation with every loss and each output activation the loss is defined on,
     * read from the enums: a new activation or loss is checked here without a line changed.
     */
    @Test
    void gradientsMatchFiniteDifferencesForEveryActivationAndLoss() {
        int checked = 0, expected = 0;
        List<String> failures = new ArrayList<>();
        for (Loss loss : Loss.values()) expected += Activation.hidden().size() * loss.outputActivations().size();
        for (Activation h : Activation.hidden()) {
            for (Loss loss : Loss.values()) {
                for (Activation output : loss.outputActivations()) {
                    Network net = Network.builder(3).dense(5, h).dense(4, h).dense(3, output).loss(loss).seed(11 + checked)
                            .build();
                    try {
                        checkGradients(net, 7, 100 + checked);
                    } catch (AssertionError e) {
                        failures.add(h + " → " + loss + "/" + output + ": " + e.getMessage());
                    }
                    checked++;
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(expected, checked, "every activation × loss pairing is checked");
        assertTrue(checked >= 35, "at least the first release's 5 hidden activations × 7 outputs, got " + checked);
    }

    private void checkGradients(Network net, int rows, long seed) {
        DataSet data = TestData.randomFor(net, rows, seed);
        float[] params = net.initialParameters();
        double[] theta = ReferenceMlp.toDouble(params);
        try (TrainableModel model = backend.load(net, params, Optimizer.Sgd.plain(0.1f), data)) {
            BatchGradients g = model.gradients(IntStream.range(0, rows).toArray());
            Tensors.assertClose("outputs", ReferenceMlp.outputs(net, theta, data.features(), rows), g.outputs(), 1e-6, 1e-5);
            double loss = ReferenceMlp.loss(net, theta, data.features(), data.targets(), rows);
            assertEquals(loss, g.loss(), 1e-6 + 1e-5 * Math.abs(loss), "loss");
            double[] numeric = ReferenceMlp.numericGradient(net, theta, data.features(), data.targets(), rows);
            Tensors.assertClose("gradient", numeric, g.gradients(), 2e-6, 1e-3);
            Tensors.assertClose("the double-precision reference's own chain rule", numeric,
                    ReferenceMlp.gradient(net, theta, data.features(), data.targets(), rows), 1e-8, 1e-5);
        }
    }

    /**
     * With dropout, a step's outputs, loss and gradient are those of the network whose hidden outputs
     * are multiplied by the step's {@link DropoutMask} (finite differences of the reference with that
     * mask), and the next step draws the next mask.
     */
    @Test
    void dropoutGradientsAreThoseOfTheStepsMask() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Activation h : Activation.hidden()) {
            for (Loss loss : List.of(Loss.MSE, Loss.CROSS_ENTROPY)) {
                Activation output = loss.outputActivations().getLast();
                Network net = Network.builder(3).dense(6, h).dense(5, h).dense(3, output).loss(loss).seed(30 + checked).build();
                DataSet data = TestData.randomFor(net, 7, 200 + checked);
                int[] rows = IntStream.range(0, 7).toArray();
                Regularization dropout = Regularization.NONE.withDropout(0.4, 1000 + checked);
                try (TrainableModel model = backend.load(net, net.initialParameters(), Optimizer.Sgd.plain(0.1f), data, dropout)) {
                    for (int step = 0; step < 2; step++) {
                        try {
                            checkDropoutGradients(net, data, model, dropout.dropoutMask(), step);
                        } catch (AssertionError e) {
                            failures.add(h + " → " + loss + ", step " + step + ": " + e.getMessage());
                        }
                        model.trainSteps(rows, 7, 0.1f);
                    }
                }
                checked++;
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void checkDropoutGradients(Network net, DataSet data, TrainableModel model, DropoutMask mask, int step) {
        int rows = data.rows();
        float[][] keep = new float[net.layers().size() - 1][];
        for (int l = 0; l < keep.length; l++) {
            keep[l] = new float[rows * net.layers().get(l).units()];
            mask.fill(step, l, 0, keep[l], keep[l].length);
        }
        double[] theta = ReferenceMlp.toDouble(model.parameters());
        BatchGradients g = model.gradients(IntStream.range(0, rows).toArray());
        Tensors.assertClose("outputs", ReferenceMlp.outputs(net, theta, data.features(), rows, keep), g.outputs(), 1e-6, 1e-5);
        double loss = ReferenceMlp.loss(net, theta, data.features(), data.targets(), rows, keep);
        assertEquals(loss, g.loss(), 1e-6 + 1e-5 * Math.abs(loss), "loss");
        Tensors.assertClose("gradient", ReferenceMlp.numericGradient(net, theta, data.features(), data.targets(), rows, keep),
                g.gradients(), 2e-6, 1e-3);
    }

    /**
     * The data-parallel split of a step: a batch's rows in parts, each part's gradient weighted by its
     * share of the rows, add up to the whole batch's gradient (with dropout, because the parts draw
     * their slices of the whole batch's masks); applying that gradient is the step trainSteps takes
     * with it, bit for bit, clipping included, and the next step's masks follow.
     */
    @Test
    void aStepSplitIntoPartsIsTheWholeBatchsStep() {
        Network net = Network.builder(4).dense(10, Activation.TANH).dense(7, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).seed(12).build();
        DataSet data = TestData.randomFor(net, 12, 40);
        int[] all = IntStream.range(0, 12).toArray();
        int[][] parts = {IntStream.range(0, 5).toArray(), IntStream.range(5, 9).toArray(), IntStream.range(9, 12).toArray()};
        Regularization regularization = Regularization.NONE.withDropout(0.3, 5).withClipNorm(0.1);
        try (TrainableModel whole = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization);
             TrainableModel split = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.01f), data, regularization)) {
            for (int step = 0; step < 2; step++) {
                BatchGradients g = whole.gradients(all);
                double[] sum = new double[g.gradients().length];
                double loss = 0;
                for (int first = 0, p = 0; p < parts.length; first += parts[p].length, p++) {
                    BatchGradients part = split.gradients(parts[p], first);
                    double share = parts[p].length / 12.0;
                    for (int i = 0; i < sum.length; i++) sum[i] += share * part.gradients()[i];
                    loss += share * part.loss();
                }
                Tensors.assertClose("step " + step + ": the parts' weighted gradients", sum, g.gradients(), 1e-6, 1e-5);
                assertEquals(g.loss(), loss, 1e-6, "step " + step + ": the parts' weighted losses");
                whole.trainSteps(all, 12, 0.01f);
                split.applyGradients(g.gradients(), 0.01f);
                assertArrayEquals(whole.parameters(), split.parameters(), "step " + step + ": applied as trainSteps applies it");
            }
        }
    }

    /** Evaluation and prediction keep every unit: a model with dropout predicts as the same model without. */
    @Test
    void dropoutIsOffInEvaluationAndPrediction() {
        Network net = Network.builder(4).dense(8, Activation.RELU).dense(6, Activation.TANH).dense(2, Activation.IDENTITY).seed(5)
                .build();
        DataSet data = TestData.randomFor(net, 20, 8);
        float[] params = net.initialParameters();
        try (TrainableModel plain = backend.load(net, params, Optimizer.Sgd.plain(0.1f), data);
             TrainableModel dropped = backend.load(net, params, Optimizer.Sgd.plain(0.1f), data,
                     Regularization.NONE.withDropout(0.5, 3))) {
            assertArrayEquals(plain.predict(data.features()), dropped.predict(data.features()), "predict");
            assertArrayEquals(plain.evaluate(data).outputs(), dropped.evaluate(data).outputs(), "evaluate");
            assertEquals(plain.evaluate(data).loss(), dropped.evaluate(data).loss());
            assertNotEquals(plain.gradients(new int[] {0, 1, 2}).loss(), dropped.gradients(new int[] {0, 1, 2}).loss(),
                    "training drops units");
        }
    }

    /**
     * A clipped step is torch.nn.utils.clip_grad_norm_ then the optimiser: the gradient scaled by
     * maxNorm / (‖g‖ + 1e-6) where that is below 1, untouched (bit for bit) where it is not.
     */
    @Test
    void aClippedStepMovesByTheGradientScaledToTheLimit() {
        Network net = Network.builder(3).dense(5, Activation.TANH).dense(2, Activation.IDENTITY).seed(6).build();
        DataSet data = TestData.randomFor(net, 8, 3);
        int[] rows = IntStream.range(0, 8).toArray();
        float[] p = net.initialParameters(), g;
        try (TrainableModel m = backend.load(net, p, Optimizer.Sgd.plain(0.1f), data)) {
            g = m.gradients(rows).gradients();
        }
        double norm = Math.sqrt(IntStream.range(0, g.length).mapToDouble(i -> (double) g[i] * g[i]).sum());
        Regularization clip = Regularization.NONE.withClipNorm(norm / 4);
        try (TrainableModel m = backend.load(net, p, Optimizer.Sgd.plain(0.1f), data, clip)) {
            assertArrayEquals(g, m.gradients(rows).gradients(), "gradients() gives the gradient before clipping");
            m.trainSteps(rows, 8, 0.1f);
            float[] after = m.parameters();
            float factor = (float) (norm / 4 / (norm + 1e-6));
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i] - 0.1f * (g[i] * factor), after[i], 1e-6 * (1 + Math.abs(after[i])), "parameter " + i);
            }
        }
        float[] plain, loose;
        try (TrainableModel m = backend.load(net, p, Optimizer.Adam.defaults(0.01f), data)) {
            m.trainSteps(rows, 4, 0.01f);
            plain = m.parameters();
        }
        try (TrainableModel m = backend.load(net, p, Optimizer.Adam.defaults(0.01f), data, Regularization.NONE.withClipNorm(1e6))) {
            m.trainSteps(rows, 4, 0.01f);
            loose = m.parameters();
        }
        assertArrayEquals(plain, loose, "a limit above every step's norm changes nothing");
    }

    /** The seed example: CGPA 8.1, profile score 7.4 → package 6.2; the 9 derivatives of the worked example. */
    @Test
    void oneSgdStepOfTheSeedNetIsTheChainRuleByHand() {
        Network net = seedNet();
        float[] params = net.initialParameters();
        DataSet row = DataSet.of(new float[] {8.1f, 7.4f}, 2, new float[] {6.2f}, 1);
        double[] theta = ReferenceMlp.toDouble(params);
        double[] grad = SeedNet.gradient(theta, 8.1, 7.4, 6.2);
        try (TrainableModel model = backend.load(net, params, Optimizer.Sgd.plain(0.01f), row)) {
            Tensors.assertClose("∂L/∂θ", grad, model.gradients(new int[] {0}).gradients(), 1e-6, 1e-5);
            var epoch = model.trainSteps(new int[] {0}, 1, 0.01f);
            assertEquals(SeedNet.loss(theta, 8.1, 7.4, 6.2), epoch.meanLoss(), 1e-5 * epoch.meanLoss(), "loss before the step");
            for (int i = 0; i < theta.length; i++) theta[i] -= 0.01 * grad[i];          // W ← W − η·∂L/∂W
            Tensors.assertClose("θ after one step", theta, model.parameters(), 1e-6, 1e-5);
        }
    }

    @Test
    void adamFirstTwoStepsFollowPyTorch() {
        checkOptimizerSteps(Optimizer.Adam.defaults(0.01f), 2);
    }

    @Test
    void adamWithL2AndAdamWFollowPyTorch() {
        checkOptimizerSteps(new Optimizer.Adam(0.01f, 0.8f, 0.99f, 1e-8f, 0.1f), 3);
        checkOptimizerSteps(Optimizer.AdamW.defaults(0.01f), 3);
    }

    @Test
    void momentumNesterovAndWeightDecayFollowPyTorch() {
        checkOptimizerSteps(new Optimizer.Sgd(0.01f, 0.9f, false, 0), 4);
        checkOptimizerSteps(new Optimizer.Sgd(0.01f, 0.9f, true, 0.01f), 4);
    }

    @Test
    void rmsPropFollowsPyTorch() {
        checkOptimizerSteps(Optimizer.RmsProp.defaults(0.01f), 3);
        checkOptimizerSteps(new Optimizer.RmsProp(0.01f, 0.9f, 1e-8f, 0.5f, 0.01f), 3);
    }

    /** Row-by-row steps on two alternating rows, against the update rule applied by hand to hand-made gradients. */
    private void checkOptimizerSteps(Optimizer optimizer, int steps) {
        Network net = seedNet();
        float[] params = net.initialParameters();
        float[][] rows = {{8.1f, 7.4f, 6.2f}, {6.5f, 5.0f, 3.1f}};
        DataSet data = DataSet.of(new float[] {rows[0][0], rows[0][1], rows[1][0], rows[1][1]}, 2,
                new float[] {rows[0][2], rows[1][2]}, 1);
        double[] theta = ReferenceMlp.toDouble(params);
        ReferenceOptimizer reference = new ReferenceOptimizer(optimizer, theta.length);
        try (TrainableModel model = backend.load(net, params, optimizer, data)) {
            for (int s = 0; s < steps; s++) {
                float[] r = rows[s % 2];
                reference.step(theta, SeedNet.gradient(theta, r[0], r[1], r[2]));
                model.trainSteps(new int[] {s % 2}, 1, optimizer.learningRate());
                Tensors.assertClose(optimizer + " step " + (s + 1), theta, model.parameters(), 1e-6, 1e-4);
            }
        }
    }

    @Test
    void linearRegressionRecoversItsCoefficients() {
        int n = 64;
        float[] x = new float[2 * n], y = new float[n];
        var random = new java.util.SplittableRandom(3);
        for (int r = 0; r < n; r++) {
            x[2 * r] = (float) (2 * random.nextDouble() - 1);
            x[2 * r + 1] = (float) (2 * random.nextDouble() - 1);
            y[r] = 3 * x[2 * r] - 2 * x[2 * r + 1] + 0.5f;                 // y = 3x₁ − 2x₂ + 0.5
        }
        Network net = Network.builder(2).dense(1, Activation.IDENTITY).loss(Loss.MSE).seed(1).build();
        TrainingResult result = train(net, Optimizer.Sgd.plain(0.1f), DataSet.of(x, 2, y, 1),
                TrainingConfig.of(300, 8).shuffled(5));
        assertArrayEquals(new float[] {3f, -2f, 0.5f}, result.parameters(), 1e-3f);
        assertTrue(result.finalLoss() < 1e-6, "loss " + result.finalLoss());
    }

    @Test
    void xorIsLearnedWithBinaryCrossEntropy() {
        DataSet xor = DataSet.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 2, new float[] {0, 1, 1, 0}, 1);
        Network net = Network.builder(2).dense(4, Activation.TANH).dense(1, Activation.SIGMOID).loss(Loss.BCE)
                .seed(7).build();
        TrainingResult result = train(net, Optimizer.Adam.defaults(0.05f), xor, TrainingConfig.of(500, 4));
        assertTrue(result.finalLoss() < 0.05, "final loss " + result.finalLoss());
        try (TrainableModel model = backend.load(net, result.parameters(), Optimizer.Sgd.plain(0.1f), xor)) {
            float[] out = model.evaluate(xor).outputs();
            assertArrayEquals(new boolean[] {false, true, true, false},
                    new boolean[] {out[0] > 0.5f, out[1] > 0.5f, out[2] > 0.5f, out[3] > 0.5f}, Arrays.toString(out));
        }
    }

    /** Each epoch's training accuracy is the model's, as that epoch left it, on its training rows; the first epochs of XOR get some wrong. */
    @Test
    void trainingAccuracyIsTheModelsOwnOnItsRowsAfterEachEpoch() {
        DataSet xor = DataSet.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 2, new float[] {0, 1, 1, 0}, 1);
        Network net = Network.builder(2).dense(4, Activation.TANH).dense(1, Activation.SIGMOID).loss(Loss.BCE).seed(7).build();
        List<Double> accuracies = new ArrayList<>();
        TrainingResult result;
        try (TrainableModel model = backend.load(net, net.initialParameters(), Optimizer.Adam.defaults(0.05f), xor)) {
            result = new Trainer(TrainingConfig.of(300, 4)).trainingAccuracyOn(xor).listener(new dev.downhill.train.TrainingListener() {
                @Override public void onEpoch(dev.downhill.train.EpochReport r) {
                    accuracies.add(r.trainingAccuracy());
                    assertEquals(dev.downhill.train.Metrics.accuracy(Loss.BCE, model.evaluate(xor).outputs(), xor), r.trainingAccuracy(),
                            "epoch " + r.epoch());
                }
            }).train(model, xor.rows(), null);
        }
        assertEquals(300, result.history().size());
        assertTrue(accuracies.getFirst() < 1 && accuracies.getLast() == 1, accuracies.getFirst() + " … " + accuracies.getLast());
    }

    @Test
    void predictRefusesFeaturesThatAreNotWholeRows() {
        Network net = Network.builder(3).dense(2, Activation.IDENTITY).seed(4).build();
        try (TrainableModel model = backend.load(net, net.initialParameters(), Optimizer.Sgd.plain(0.1f), null)) {
            assertEquals(4, model.predict(new float[6]).length, "two rows of three: two rows of two outputs");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[7]));
            assertEquals("7 feature values are not rows of 3", e.getMessage());
        }
    }

    @Test
    void aLearningRateFarTooLargeIsCaughtByTheNanGuard() {
        Network net = Network.builder(2).dense(8, Activation.RELU).dense(1, Activation.IDENTITY).seed(2).build();
        DataSet data = TestData.randomFor(net, 32, 9);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> train(net, Optimizer.Sgd.plain(1e4f), data, TrainingConfig.of(50, 1)));
        assertEquals(1, e.epoch(), e.getMessage());
        assertTrue(e.step() > 1 && e.step() <= 32, e.getMessage());
    }

    @Test
    void theSameSeedGivesBitIdenticalParameters() {
        Network net = Network.builder(3).dense(6, Activation.TANH).dense(2, Activation.IDENTITY).seed(21).build();
        DataSet data = TestData.randomFor(net, 50, 4);
        TrainingConfig config = TrainingConfig.of(5, 7).shuffled(99);
        float[] first = train(net, Optimizer.Adam.defaults(0.01f), data, config).parameters();
        float[] second = train(net, Optimizer.Adam.defaults(0.01f), data, config).parameters();
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, net.initialParameters()), "training moved the parameters");
    }

    /** With dropout too: a resumed run draws the masks an uninterrupted one does, keyed by the optimiser's step count. */
    @Test
    void stoppingMidEpochAndResumingFromTheSavedStateGivesBitIdenticalParameters() {
        Network net = Network.builder(3).dense(16, Activation.TANH).dense(8, Activation.RELU).dense(2, Activation.IDENTITY).seed(8)
                .build();
        DataSet data = TestData.randomFor(net, 200, 6);
        TrainingConfig config = TrainingConfig.of(6, 8).shuffled(3);
        for (Regularization regularization : List.of(Regularization.NONE, Regularization.NONE.withDropout(0.3, 17).withClipNorm(0.5))) {
            for (Optimizer optimizer : List.of(new Optimizer.Sgd(0.05f, 0.9f, false, 0), Optimizer.Adam.defaults(0.01f))) {
                checkResume(net, data, config, optimizer, regularization);
            }
        }
    }

    private void checkResume(Network net, DataSet data, TrainingConfig config, Optimizer optimizer, Regularization regularization) {
        float[] straight;
        try (TrainableModel model = backend.load(net, net.initialParameters(), optimizer, data, regularization)) {
            straight = new Trainer(config).train(model, data.rows(), null).parameters();
        }
        dev.downhill.train.TrainingProgress[] progress = new dev.downhill.train.TrainingProgress[1];
        float[][] savedParams = new float[1][];
        dev.downhill.backend.OptimizerState[] savedState = new dev.downhill.backend.OptimizerState[1];
        int[] checks = {0};
        try (TrainableModel first = backend.load(net, net.initialParameters(), optimizer, data, regularization)) {
            // epochs run in chunks of 1, 2, 4 … steps when a stop is possible: the 4th check is mid-epoch
            TrainingResult stopped = new Trainer(config).stopWhen(() -> ++checks[0] > 3).checkpoints(0, p -> {
                progress[0] = p;
                savedParams[0] = first.parameters();
                savedState[0] = first.optimizerState();
            }).train(first, data.rows(), null);
            assertTrue(stopped.interrupted(), "the run stopped on request");
            assertTrue(progress[0].step() > 0, "it stopped in the middle of an epoch: " + progress[0]);
        }
        try (TrainableModel second = backend.load(net, net.initialParameters(), optimizer, data, regularization)) {
            second.restore(savedParams[0], savedState[0]);
            float[] resumed = new Trainer(config).resume(second, data.rows(), null, progress[0]).parameters();
            assertArrayEquals(straight, resumed, optimizer + ", " + regularization + ": resumed at " + progress[0].epoch()
                    + "/" + progress[0].step());
        }
    }

    protected TrainingResult train(Network net, Optimizer optimizer, DataSet data, TrainingConfig config) {
        try (TrainableModel model = backend.load(net, net.initialParameters(), optimizer, data)) {
            return new Trainer(config).train(model, data.rows(), null);
        }
    }

    protected static Network seedNet() {
        return Network.builder(2).dense(2, Activation.SIGMOID).dense(1, Activation.IDENTITY).loss(Loss.MSE).seed(42)
                .build();
    }
}
