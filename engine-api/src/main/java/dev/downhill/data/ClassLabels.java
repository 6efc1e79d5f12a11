package dev.downhill.data;

import dev.downhill.InputException;

import java.nio.file.Path;
import java.util.List;

/** Turns a column of integer class labels into one-hot targets named {@code column=k}. */
final class ClassLabels {
    private ClassLabels() {}

    static DataSet oneHot(Path file, String column, int columnNumber, float[] features, float[] labels,
                          List<String> featureNames, int classes) {
        Problems problems = new Problems(file);
        int max = 0;
        for (int r = 0; r < labels.length; r++) {
            float label = labels[r];
            if (label < 0 || label != Math.rint(label)) {
                problems.add(r + 2, columnNumber, "class label '" + label + "' in column '" + column
                        + "' is not a non-negative integer");
            } else if (classes > 0 && label >= classes) {
                problems.add(r + 2, columnNumber, "class label " + (int) label + " in column '" + column
                        + "' is out of range for " + classes + " classes");
            } else {
                max = Math.max(max, (int) label);
            }
        }
        problems.throwIfAny();
        int k = classes > 0 ? classes : Math.max(2, max + 1);
        if (k > 1 << 16) throw new InputException(file + ": column '" + column + "' has labels up to " + max + ", too many classes");
        float[] targets = new float[labels.length * k];
        for (int r = 0; r < labels.length; r++) targets[r * k + (int) labels[r]] = 1f;
        List<String> names = java.util.stream.IntStream.range(0, k).mapToObj(i -> column + "=" + i).toList();
        return new DataSet(features, targets, featureNames, names);
    }
}
