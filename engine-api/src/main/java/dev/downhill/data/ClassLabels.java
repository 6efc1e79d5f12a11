package dev.downhill.data;

import java.util.List;

/** Turns a column of integer class labels into one-hot targets named {@code column=k}. */
final class ClassLabels {
    /** More classes than this is a mistake in the data, not a classification. */
    static final int MAX_CLASSES = 1 << 16;
    /**
     * Without a declared number of classes, labels must stay below this: one-hot targets take rows × classes floats,
     * and a stray large label must not make a small file fill the memory.
     */
    static final int MAX_INFERRED_CLASSES = 1024;

    private ClassLabels() {}

    /** Records every label that is not an integer in {@code [0, classes)} (or below {@link #MAX_CLASSES} when classes is 0). */
    static void check(Problems problems, String column, int columnNumber, float[] labels, int classes) {
        int limit = classes > 0 ? Math.min(classes, MAX_CLASSES) : MAX_INFERRED_CLASSES;
        for (int r = 0; r < labels.length; r++) {
            float label = labels[r];
            if (label < 0 || label != Math.rint(label)) {
                problems.add(r, columnNumber, "class label '" + label + "' in column '" + column + "' is not a non-negative integer");
            } else if (label >= limit) {
                String what = "class label " + (long) label + " in column '" + column + "' is out of range for " + limit + " classes";
                if (classes > 0) problems.add(r, columnNumber, what);
                else problems.add(r, columnNumber, what, dev.downhill.InputException.Remedy.DECLARE_CLASSES);
            }
        }
    }

    /** One-hot targets for labels already checked; {@code classes} 0 takes the largest label + 1 (at least 2). */
    static DataSet oneHot(String column, float[] features, float[] labels, List<String> featureNames, int classes) {
        int max = 0;
        for (float label : labels) max = Math.max(max, (int) label);
        int k = classes > 0 ? classes : Math.max(2, max + 1);
        float[] targets = new float[dev.downhill.MemoryBudget.floats((long) labels.length * k,
                labels.length + " rows of one-hot targets for " + k + " classes")];
        for (int r = 0; r < labels.length; r++) targets[r * k + (int) labels[r]] = 1f;
        List<String> names = java.util.stream.IntStream.range(0, k).mapToObj(i -> column + "=" + i).toList();
        return new DataSet(features, targets, featureNames, names);
    }
}
