package dev.downhill.train;

import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.optim.LearningRateSchedule;
import dev.downhill.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The trainer's own logic, on a model whose epoch losses are scripted. */
class TrainerTest {
    /** Returns the scripted losses in turn and records what it was asked. */
    static class ScriptedModel implements TrainableModel {
        final double[] losses;
        final float gradient;
        final List<int[]> orders = new ArrayList<>();
        final List<Float> rates = new ArrayList<>();
        int epoch;

        ScriptedModel(float gradient, double... losses) {
            this.losses = losses;
            this.gradient = gradient;
        }

        @Override public Network network() { return Network.builder(1).dense(1, Activation.IDENTITY).build(); }
        @Override public Optimizer optimizer() { return Optimizer.Sgd.plain(0.1f); }

        @Override public StepsResult trainSteps(int[] rowOrder, int batchSize, float learningRate) {
            orders.add(rowOrder);
            rates.add(learningRate);
            double loss = losses[epoch++];
            int steps = (rowOrder.length + batchSize - 1) / batchSize;
            return new StepsResult(loss, steps, Double.isFinite(loss) ? -1 : Math.min(2, steps - 1));
        }

        @Override public BatchGradients gradients(int[] rows, int firstRow) {
            return new BatchGradients(new float[0], 0, new float[] {gradient * epoch});
        }
        @Override public void applyGradients(float[] g, float learningRate) { throw new UnsupportedOperationException(); }
        @Override public Evaluation evaluate(DataSet data) { return new Evaluation(new float[data.rows()], 0.5); }
        @Override public float[] predict(float[] features) { return new float[features.length]; }
        @Override public float[] parameters() { return new float[] {1, 2}; }
        @Override public dev.downhill.backend.OptimizerState optimizerState() { return dev.downhill.backend.OptimizerState.fresh(2); }
        @Override public void restore(float[] p, dev.downhill.backend.OptimizerState s) { }
        @Override public void close() {}
    }

    @Test
    void aBatchLargerThanTheDataIsOneStepOfAllRowsEvenAtTheIntLimit() {
        ScriptedModel model = new ScriptedModel(1, 1.0, 0.5);
        TrainingResult r = new Trainer(TrainingConfig.of(2, Integer.MAX_VALUE)).train(model, 10, null);
        assertEquals(List.of(1.0, 0.5), r.history().stream().map(EpochReport::loss).toList(), "every epoch trained");
        assertEquals(10, model.orders.getFirst().length);
    }

    @Test
    void anInfiniteValidationLossStopsTheRun() {
        ScriptedModel model = new ScriptedModel(1, 1.0, 0.5) {
            @Override public Evaluation evaluate(DataSet data) { return new Evaluation(new float[data.rows()], Double.POSITIVE_INFINITY); }
        };
        var e = assertThrows(dev.downhill.InputException.class, () -> new Trainer(TrainingConfig.of(2, 1))
                .train(model, 4, DataSet.of(new float[3], 1, new float[3], 1)));
        assertTrue(e.getMessage().startsWith("validation loss became Infinity at epoch 1 while the training loss is 1.0"),
                e.getMessage());
    }

    @Test
    void stopsWhenTheLossChangesByLessThanTheToleranceForPatienceEpochs() {
        ScriptedModel model = new ScriptedModel(1, 1.0, 0.5, 0.4999, 0.4998, 0.3, 0.2999, 0.2998, 0.2997, 0.1, 0.1);
        TrainingResult r = new Trainer(TrainingConfig.of(10, 1).withStopping(new StoppingRule.LossPlateau(1e-3, 3)))
                .train(model, 4, null);
        assertEquals(8, r.history().size(), "epochs 6, 7, 8 are flat");
        assertTrue(r.converged());
        assertTrue(r.stopReason().startsWith("converged"), r.stopReason());
    }

    /** A model whose parameters after epoch e are {e, −e} and whose validation losses are scripted; it records what was restored. */
    static class ValidationScript extends ScriptedModel {
        final double[] validationLosses;
        float[] restored;

        ValidationScript(double... validationLosses) {
            super(1, java.util.stream.DoubleStream.generate(() -> 1.0).limit(validationLosses.length).toArray());
            this.validationLosses = validationLosses;
        }

        @Override public Evaluation evaluate(DataSet data) { return new Evaluation(new float[data.rows()], validationLosses[epoch - 1]); }
        @Override public float[] parameters() { return restored != null ? restored.clone() : new float[] {epoch, -epoch}; }
        @Override public void restore(float[] p, dev.downhill.backend.OptimizerState s) { restored = p.clone(); }
    }

    private static final DataSet VALIDATION = DataSet.of(new float[3], 1, new float[3], 1);

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovementAndKeepsTheBestEpochsParameters() {
        // epoch 3 is the best; 4 improves on it by less than min delta 0.01; 5 and 6 do not improve: patience 3 stops after 6
        ValidationScript model = new ValidationScript(0.9, 0.5, 0.4, 0.395, 0.41, 0.6, 0.1, 0.1);
        TrainingResult r = new Trainer(TrainingConfig.of(8, 1).withStopping(new StoppingRule.EarlyStopping(3, 0.01)))
                .train(model, 4, VALIDATION);
        assertEquals(6, r.history().size());
        assertEquals(3, r.restoredEpoch());
        assertArrayEquals(new float[] {3, -3}, r.parameters(), "the best epoch's parameters");
        assertArrayEquals(new float[] {3, -3}, model.restored, "and the model holds them");
        assertTrue(r.converged());
        assertEquals("stopped early: the validation loss did not improve by more than 0.01 for 3 epochs; "
                + "restored the parameters of epoch 3, the best (validation loss 0.400000)", r.stopReason());
    }

    @Test
    void earlyStoppingAtTheEpochLimitStillKeepsTheBestAndNeedsValidationRows() {
        ValidationScript model = new ValidationScript(0.9, 0.3, 0.5, 0.4);
        TrainingResult r = new Trainer(TrainingConfig.of(4, 1).withStopping(new StoppingRule.EarlyStopping(5, 0)))
                .train(model, 4, VALIDATION);
        assertFalse(r.converged());
        assertEquals(2, r.restoredEpoch());
        assertArrayEquals(new float[] {2, -2}, r.parameters());
        var e = assertThrows(dev.downhill.InputException.class, () -> new Trainer(TrainingConfig.of(4, 1)
                .withStopping(new StoppingRule.EarlyStopping(5, 0))).train(new ValidationScript(1, 1), 4, null));
        assertEquals(java.util.Set.of(dev.downhill.InputException.Remedy.HOLD_OUT_VALIDATION_ROWS), e.remedies());
    }

    @Test
    void earlyStoppingResumedFromSavedProgressEndsAsAnUninterruptedRun() {
        double[] script = {0.9, 0.5, 0.4, 0.6, 0.7, 0.8};
        TrainingConfig config = TrainingConfig.of(6, 1).withStopping(new StoppingRule.EarlyStopping(2, 0));
        TrainingResult whole = new Trainer(config).train(new ValidationScript(script), 1, VALIDATION);
        List<TrainingProgress> saved = new ArrayList<>();
        ValidationScript first = new ValidationScript(script);
        new Trainer(config).checkpoints(1, saved::add).stopWhen(() -> first.epoch == 4).train(first, 1, VALIDATION);        // one step an epoch: a scripted epoch is one call
        TrainingProgress at = saved.getLast();
        assertEquals(4, at.epoch());
        assertArrayEquals(new float[] {3, -3}, at.best(), "the best so far travels with the progress");
        ValidationScript second = new ValidationScript(script);
        second.epoch = at.epoch();
        TrainingResult resumed = new Trainer(config).resume(second, 1, VALIDATION, at);
        assertEquals(whole.history().stream().map(EpochReport::validationLoss).toList(),
                resumed.history().stream().map(EpochReport::validationLoss).toList());
        assertEquals(whole.stopReason(), resumed.stopReason());
        assertArrayEquals(whole.parameters(), resumed.parameters());
    }

    @Test
    void stopsWhenTheGradientNormIsSmall() {
        ScriptedModel model = new ScriptedModel(-0.1f, 1, 1, 1, 1, 1, 1);
        TrainingResult r = new Trainer(TrainingConfig.of(6, 1).withStopping(new StoppingRule.GradientNorm(0.25)))
                .train(model, 4, null);
        assertEquals(1, r.history().size(), "the norm after epoch 1 is 0.1");
    }

    @Test
    void runsTheFixedNumberOfEpochsWithScheduleAndOrder() {
        ScriptedModel model = new ScriptedModel(1, 4, 3, 2, 1);
        List<EpochReport> seen = new ArrayList<>();
        TrainingResult r = new Trainer(TrainingConfig.of(4, 2).withSchedule(new LearningRateSchedule.Step(2, 0.5f)))
                .listener(new TrainingListener() {
                    @Override public void onEpoch(EpochReport report) { seen.add(report); }
                })
                .train(model, 5, DataSet.of(new float[3], 1, new float[3], 1));
        assertEquals(4, seen.size());
        assertEquals(1.0, r.finalLoss());
        assertEquals(List.of(0.1f, 0.1f, 0.05f, 0.05f), model.rates);
        assertEquals(0.5, seen.getFirst().validationLoss());
        for (int[] order : model.orders) assertArrayEquals(new int[] {0, 1, 2, 3, 4}, order, "rows in file order");
    }

    @Test
    void shuffledOrdersAreSeededPermutationsThatChangeEachEpoch() {
        ScriptedModel a = new ScriptedModel(1, 1, 1, 1), b = new ScriptedModel(1, 1, 1, 1);
        new Trainer(TrainingConfig.of(3, 1).shuffled(7)).train(a, 20, null);
        new Trainer(TrainingConfig.of(3, 1).shuffled(7)).train(b, 20, null);
        for (int e = 0; e < 3; e++) {
            assertArrayEquals(a.orders.get(e), b.orders.get(e), "same seed, same order");
            assertArrayEquals(java.util.stream.IntStream.range(0, 20).toArray(),
                    Arrays.stream(a.orders.get(e)).sorted().toArray());
        }
        assertFalse(Arrays.equals(a.orders.get(0), a.orders.get(1)), "a new order each epoch");
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingEpochAndStep() {
        ScriptedModel model = new ScriptedModel(1, 1, Double.NaN, 1);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> new Trainer(TrainingConfig.of(3, 2)).train(model, 8, null));
        assertEquals(2, e.epoch());
        assertEquals(3, e.step());
        assertEquals("loss became NaN or infinite at epoch 2, step 3 (learning rate 0.1): training diverged; "
                + "try a smaller learning rate", e.getMessage());
    }
}
