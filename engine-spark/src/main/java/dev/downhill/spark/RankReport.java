package dev.downhill.spark;

import java.io.Serializable;

/**
 * What a rank's task sends back to the driver: where it ran and how long it waited on the others;
 * rank 0 adds the parameters and each epoch's loss (every rank holds the same parameters). Or, where
 * a rank could not train (a user's mistake, which a retry would only repeat), that mistake.
 */
record RankReport(int rank, String backend, int attempt, long steps, long[] epochExchangeNanos, float[] parameters,
                  double[] epochLosses, long[] epochNanos, String mistake) implements Serializable {
    RankReport(int rank, String backend, int attempt, long steps, long[] epochExchangeNanos, float[] parameters,
               double[] epochLosses, long[] epochNanos) {
        this(rank, backend, attempt, steps, epochExchangeNanos, parameters, epochLosses, epochNanos, null);
    }

    static RankReport mistake(int rank, int attempt, String mistake) {
        return new RankReport(rank, null, attempt, 0, null, null, null, null, mistake);
    }
}
