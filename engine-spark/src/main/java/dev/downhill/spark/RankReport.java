package dev.downhill.spark;

import java.io.Serializable;

/**
 * What a rank's task sends back to the driver: where it ran and how long it waited on the others;
 * rank 0 adds the parameters and each epoch's loss (every rank holds the same parameters).
 */
record RankReport(int rank, String backend, int attempt, long steps, long exchangeNanos, long trainingNanos,
                  float[] parameters, double[] epochLosses, long[] epochNanos) implements Serializable {}
