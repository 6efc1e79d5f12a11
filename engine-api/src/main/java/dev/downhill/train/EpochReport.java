package dev.downhill.train;

/**
 * One finished epoch.
 *
 * @param epoch              1-based
 * @param loss               mean training loss of the epoch
 * @param validationLoss     mean validation loss after the epoch, NaN without validation data
 * @param validationAccuracy share of validation rows classified right, NaN for regression or without validation data
 * @param learningRate       the rate used in this epoch
 * @param gradientNorm       norm of the full-batch gradient after the epoch, NaN when not measured
 * @param nanos              wall time of the epoch
 * @param validationMae      a regression's mean absolute error on the validation rows, else NaN
 * @param validationRmse     its root mean squared error, else NaN
 * @param validationR2       its coefficient of determination R², else NaN
 * @param trainingAccuracy   a classifier's share of training rows classified right after the epoch
 *                           (measured when asked for, see {@link Trainer#trainingAccuracyOn}), else NaN
 */
public record EpochReport(int epoch, double loss, double validationLoss, double validationAccuracy,
                          float learningRate, double gradientNorm, long nanos,
                          double validationMae, double validationRmse, double validationR2, double trainingAccuracy) {

    /** A report without a regression's validation metrics. */
    public EpochReport(int epoch, double loss, double validationLoss, double validationAccuracy, float learningRate,
                       double gradientNorm, long nanos) {
        this(epoch, loss, validationLoss, validationAccuracy, learningRate, gradientNorm, nanos, Double.NaN, Double.NaN, Double.NaN);
    }

    /** A report without training accuracy. */
    public EpochReport(int epoch, double loss, double validationLoss, double validationAccuracy, float learningRate,
                       double gradientNorm, long nanos, double validationMae, double validationRmse, double validationR2) {
        this(epoch, loss, validationLoss, validationAccuracy, learningRate, gradientNorm, nanos, validationMae, validationRmse,
                validationR2, Double.NaN);
    }
}
