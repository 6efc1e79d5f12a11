package dev.downhill.parallel;

import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.OptimizerState;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.train.TrainingConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A collective that never returns (as NCCL waits on a dead peer) is aborted by the trainer's watchdog. */
class WatchdogTest {
    @Test
    void aStepThatHangsIsAbortedAndTheRankFails() {
        HangingCollective hanging = new HangingCollective();
        CollectiveException e = assertThrows(CollectiveException.class, () -> new DataParallelTrainer(TrainingConfig.of(1, 2), hanging)
                .stepTimeout(Duration.ofMillis(300)).train(new OneParameter(), new int[] {4, 4}));
        assertEquals("rank 0 of 2: a step took longer than 300 ms, and the watchdog aborted the collective", e.getMessage());
        assertEquals(0, hanging.aborted.getCount(), "abort() was called");
    }

    @Test
    void stepsWithinTheTimeoutAreLeftAlone() {
        Collective quick = Collective.single();
        var result = new DataParallelTrainer(TrainingConfig.of(3, 1), new Collective() {
            @Override public int rank() { return 0; }
            @Override public int worldSize() { return 1; }
            @Override public void allReduceSum(float[] buffer) { quick.allReduceSum(buffer); }
            @Override public void abort() { fail("no step took long"); }
            @Override public void close() {}
        }).stepTimeout(Duration.ofSeconds(30)).train(new OneParameter(), new int[] {4});
        assertEquals(3, result.history().size());
    }

    /**
     * Waits in every all-reduce until aborted, then fails as a collective does; never aborted, it
     * gives up after a minute with another message, so that a broken watchdog fails the test instead
     * of hanging the build.
     */
    private static final class HangingCollective implements Collective {
        final CountDownLatch aborted = new CountDownLatch(1);

        @Override public int rank() { return 0; }

        @Override public int worldSize() { return 2; }

        @Override
        public void allReduceSum(float[] buffer) {
            boolean wasAborted = false;
            try {
                wasAborted = aborted.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(wasAborted ? "aborted" : "never aborted");
        }

        @Override public void abort() { aborted.countDown(); }

        @Override public void close() {}
    }

    /** y = w·x with one weight: enough of a model for the loop. */
    private static final class OneParameter implements TrainableModel {
        private final Network net = Network.builder(1).dense(1, Activation.IDENTITY).build();
        private float[] p = {0.5f, 0f};

        @Override public Network network() { return net; }
        @Override public Optimizer optimizer() { return Optimizer.Sgd.plain(0.1f); }
        @Override public StepsResult trainSteps(int[] rows, int batch, float rate) { throw new UnsupportedOperationException(); }
        @Override public BatchGradients gradients(int[] rows, int firstRow) {
            return new BatchGradients(new float[rows.length], 1f, new float[] {0.1f, 0.1f});
        }
        @Override public void applyGradients(float[] g, float rate) {
            for (int i = 0; i < p.length; i++) p[i] -= rate * g[i];
        }
        @Override public Evaluation evaluate(DataSet data) { throw new UnsupportedOperationException(); }
        @Override public float[] predict(float[] features) { throw new UnsupportedOperationException(); }
        @Override public float[] parameters() { return p.clone(); }
        @Override public OptimizerState optimizerState() { return OptimizerState.fresh(2); }
        @Override public void restore(float[] parameters, OptimizerState state) { p = parameters.clone(); }
        @Override public void close() {}
    }
}
