package dev.downhill.train;

import dev.downhill.data.DataSet;
import dev.downhill.network.Loss;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The classes a classifier's outputs name, as PyTorch would read them. */
class MetricsTest {
    @Test
    void crossEntropyNamesTheMostProbableClassAndTheFirstOfEqualOnes() {
        float[] probabilities = {0.2f, 0.5f, 0.3f,   0.4f, 0.4f, 0.2f,   0.1f, 0.1f, 0.8f};
        assertArrayEquals(new int[] {1, 0, 2}, Metrics.predictedClasses(Loss.CROSS_ENTROPY, probabilities, 3));
    }

    @Test
    void bceNamesOneOrZeroPerOutputAtAThresholdOfOneHalf() {
        float[] outputs = {0.5f, 0.49999997f,   0.9f, 0f};
        assertArrayEquals(new int[] {1, 0, 1, 0}, Metrics.predictedClasses(Loss.BCE, outputs, 2));
    }

    @Test
    void aRegressionHasNoClasses() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.predictedClasses(Loss.MSE, new float[] {1f}, 1));
    }

    /** As scikit-learn's mean_absolute_error, root of mean_squared_error and r2_score (uniform average over outputs, for one output here). */
    @Test
    void aRegressionsErrorsAndRSquared() {
        DataSet data = DataSet.of(new float[4], 1, new float[] {1, 2, 3, 4}, 1);
        float[] outputs = {1.5f, 2f, 2f, 4f};
        assertEquals(0.375, Metrics.meanAbsoluteError(outputs, data), 1e-12);
        assertEquals(Math.sqrt(1.25 / 4), Metrics.rootMeanSquaredError(outputs, data), 1e-12);
        assertEquals(1 - 1.25 / 5, Metrics.rSquared(outputs, data), 1e-12);
    }
}
