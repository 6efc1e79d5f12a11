package dev.downhill.data;

import dev.downhill.InputException;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Rows of float32 features and targets held in memory, row-major:
 * {@code features[rows·featureWidth]}, {@code targets[rows·targetWidth]}.
 * The arrays are shared, not copied: treat them as read-only.
 */
public record DataSet(float[] features, float[] targets, List<String> featureNames, List<String> targetNames) {

    public DataSet {
        featureNames = List.copyOf(featureNames);
        targetNames = List.copyOf(targetNames);
        if (featureNames.isEmpty()) throw new InputException("a data set needs at least one feature column");
        if (targetNames.isEmpty()) throw new InputException("a data set needs at least one target column");
        if (features.length % featureNames.size() != 0 || targets.length % targetNames.size() != 0
                || features.length / featureNames.size() != targets.length / targetNames.size()) {
            throw new IllegalArgumentException("features (" + features.length + " floats, " + featureNames.size()
                    + " wide) and targets (" + targets.length + " floats, " + targetNames.size()
                    + " wide) do not hold the same number of rows");
        }
    }

    /** A data set with generated column names {@code x0.., y0..}. */
    public static DataSet of(float[] features, int featureWidth, float[] targets, int targetWidth) {
        return new DataSet(features, targets, names("x", featureWidth), names("y", targetWidth));
    }

    private static List<String> names(String prefix, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    public int rows() {
        return features.length / featureNames.size();
    }

    public int featureWidth() {
        return featureNames.size();
    }

    public int targetWidth() {
        return targetNames.size();
    }

    public float feature(int row, int column) {
        return features[row * featureWidth() + column];
    }

    public float target(int row, int column) {
        return targets[row * targetWidth() + column];
    }

    /** The given rows, in the given order, as a new data set. */
    public DataSet select(int[] rows) {
        int fw = featureWidth(), tw = targetWidth();
        float[] f = new float[rows.length * fw];
        float[] t = new float[rows.length * tw];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(features, rows[i] * fw, f, i * fw, fw);
            System.arraycopy(targets, rows[i] * tw, t, i * tw, tw);
        }
        return new DataSet(f, t, featureNames, targetNames);
    }

    /** A training and a validation part. */
    public record Split(DataSet train, DataSet validation) {}

    /**
     * Moves a seeded random {@code fraction} of the rows to a validation set; the rest, in
     * their original order, train.
     */
    public Split split(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new InputException("validation fraction must be between 0 and 1, got " + fraction);
        }
        int n = rows();
        int validationRows = (int) Math.round(n * fraction);
        if (validationRows < 1 || validationRows >= n) {
            throw new InputException("a validation fraction of " + fraction + " leaves no rows to train or validate on ("
                    + n + " rows)");
        }
        int[] order = permutation(n, seed);
        boolean[] isValidation = new boolean[n];
        for (int i = 0; i < validationRows; i++) isValidation[order[i]] = true;
        int[] train = new int[n - validationRows];
        int[] validation = new int[validationRows];
        for (int r = 0, t = 0, v = 0; r < n; r++) {
            if (isValidation[r]) validation[v++] = r; else train[t++] = r;
        }
        return new Split(select(train), select(validation));
    }

    /** A Fisher–Yates permutation of {@code 0..n-1} from the seed; the same on every JVM. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
