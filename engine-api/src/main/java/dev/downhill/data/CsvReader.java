package dev.downhill.data;

import dev.downhill.InputException;
import dev.downhill.network.Loss;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a data file into a {@link DataSet}: a CSV file with a header row, or NumPy ({@code .npy},
 * {@code .npz}) and IDX (MNIST) arrays, whose columns are named as {@link ArrayTable} says.
 * Target columns are chosen by name; features are the listed columns, or every other column.
 * Every value must be a finite number: a problem is reported with file and line and column (or
 * row and column in arrays), never dropped silently.
 */
public final class CsvReader {

    /** How the target columns are turned into targets. */
    public enum Targets {
        /** Each target column is one numeric target. */
        VALUES,
        /** One column of integer class labels {@code 0..k−1}, turned into one-hot targets. */
        CLASS_INDEX
    }

    /** The most classes a label column may name. */
    public static final int MAX_CLASSES = ClassLabels.MAX_CLASSES;

    private final List<String> targetColumns;
    private final List<String> featureColumns;
    private final Targets targets;
    private final int classes;
    /** The loss whose targets the values must be ({@link Loss#acceptsTarget}), or null for any number. */
    private Loss targetLoss;
    /** Feature columns of strings, each read as one-hot features {@code column=category}. */
    private List<String> categoricalColumns = List.of();

    /**
     * @param targetColumns  names of the target columns, at least one
     * @param featureColumns names of the feature columns, or empty for all other columns
     * @param targets        how targets are read
     * @param classes        for {@link Targets#CLASS_INDEX}: the number of classes, or 0 to take the largest label + 1
     */
    public CsvReader(List<String> targetColumns, List<String> featureColumns, Targets targets, int classes) {
        if (targetColumns.isEmpty()) throw new InputException("name at least one target column");
        if (targets == Targets.CLASS_INDEX && targetColumns.size() != 1) {
            throw new InputException("class labels must come from one column, got " + targetColumns);
        }
        this.targetColumns = List.copyOf(targetColumns);
        this.featureColumns = List.copyOf(featureColumns);
        this.targets = targets;
        this.classes = classes;
    }

    public static CsvReader values(String... targetColumns) {
        return new CsvReader(List.of(targetColumns), List.of(), Targets.VALUES, 0);
    }

    /** The same reader, taking only the named columns as features (by default every column that is not a target). */
    public CsvReader features(String... columns) {
        CsvReader r = new CsvReader(targetColumns, List.of(columns), targets, classes);
        r.targetLoss = targetLoss;
        r.categoricalColumns = categoricalColumns;
        return r;
    }

    /**
     * The same reader, taking the named feature columns as categories: each becomes one
     * one-hot feature per distinct string, named {@code column=category}, in sorted order
     * ({@link Result#categories()} lists them for the model's metadata).
     */
    public CsvReader categorical(List<String> columns) {
        CsvReader r = features(featureColumns.toArray(String[]::new));
        r.categoricalColumns = List.copyOf(columns);
        return r;
    }

    /**
     * A data set with the rows that had problems dropped, and how many they were.
     *
     * @param categories each categorical column's categories, in the order of its one-hot features
     */
    public record Result(DataSet data, int droppedRows, java.util.Map<String, List<String>> categories) {
        public Result {
            categories = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(categories));
        }
    }

    /** Reads every row; any problem in any row is an error that lists them all. */
    public DataSet read(Path file) {
        return read(file, false).data();
    }

    /**
     * Reads every row, checks every cell, and either reports every problem (line and column) or,
     * with {@code dropBadRows}, leaves out each row that has one and counts them.
     */
    public Result read(Path file, boolean dropBadRows) {
        try (RowSource table = RowSource.open(file)) {
            int[] targetIdx = table.columns(targetColumns, "target");
            int[] featureIdx = featureColumns.isEmpty()
                    ? restOf(table.header().size(), targetIdx)
                    : table.columns(featureColumns, "feature");
            if (featureIdx.length == 0) throw new InputException(file + ": no feature columns remain besides the targets");
            for (int f : featureIdx) {
                for (int t : targetIdx) {
                    if (f == t) {
                        throw new InputException(file + ": column '" + table.header().get(f) + "' is both a feature and a target");
                    }
                }
            }
            java.util.Map<Integer, CategoryColumn> categorical = new java.util.LinkedHashMap<>();
            for (String c : categoricalColumns) {
                int column = table.columns(List.of(c), "categorical")[0];
                if (java.util.Arrays.stream(featureIdx).noneMatch(f -> f == column)) {
                    throw new InputException(file + ": categorical column '" + c + "' is not a feature column");
                }
                categorical.put(column, CategoryColumn.learning(c));
            }
            Problems problems = table.problems();
            float[][] values = table.numbers(problems, categorical, featureIdx, targetIdx);
            if (targets == Targets.CLASS_INDEX) {
                ClassLabels.check(problems, table.header().get(targetIdx[0]), targetIdx[0] + 1, values[1], classes);
            } else if (targetLoss != null) {
                checkRange(problems, table, targetIdx, values[1]);
            }
            int dropped = 0;
            if (problems.any()) {
                if (!dropBadRows) problems.throwIfAny();
                dropped = problems.badRowCount();
                if (dropped == table.rows()) throw new InputException(file + ": every row has a problem; nothing is left to train on");
                values = keep(values, problems.badRows(), table.rows(), featureIdx.length, targetIdx.length);
            }
            List<String> featureNames = table.names(featureIdx);
            if (!categorical.isEmpty()) {
                OneHot expanded = OneHot.of(values[0], featureIdx, featureNames, categorical);
                values[0] = expanded.values();
                featureNames = expanded.names();
            }
            java.util.Map<String, List<String>> categories = new java.util.LinkedHashMap<>();
            for (CategoryColumn c : categorical.values()) categories.put(c.name(), c.categories());
            DataSet data = targets == Targets.VALUES
                    ? new DataSet(values[0], values[1], featureNames, table.names(targetIdx))
                    : ClassLabels.oneHot(table.header().get(targetIdx[0]), values[0], values[1], featureNames, classes);
            return new Result(data, dropped, categories);
        }
    }

    /** Targets must be what the loss takes (BCE's and cross-entropy's: [0, 1]). */
    private void checkRange(Problems problems, RowSource table, int[] targetIdx, float[] targetValues) {
        for (int i = 0; i < targetValues.length; i++) {
            float y = targetValues[i];
            if (!targetLoss.acceptsTarget(y)) {
                int column = targetIdx[i % targetIdx.length];
                problems.add(i / targetIdx.length, column + 1, "target '" + table.header().get(column) + "' is " + y
                        + ", outside " + targetLoss.targetRange() + ", which " + targetLoss.id() + " needs");
            }
        }
    }

    private static float[][] keep(float[][] values, java.util.BitSet bad, int rows, int featureWidth, int targetWidth) {
        int good = rows - bad.cardinality();
        float[] f = new float[good * featureWidth], t = new float[good * targetWidth];
        for (int r = 0, g = 0; r < rows; r++) {
            if (bad.get(r)) continue;
            System.arraycopy(values[0], r * featureWidth, f, g * featureWidth, featureWidth);
            System.arraycopy(values[1], r * targetWidth, t, g * targetWidth, targetWidth);
            g++;
        }
        return new float[][] {f, t};
    }

    /** The same reader, also requiring every target value to be one {@code loss} takes ({@link Loss#acceptsTarget}). */
    public CsvReader targetsFor(Loss loss) {
        CsvReader r = new CsvReader(targetColumns, featureColumns, targets, classes);
        r.targetLoss = loss;
        return r;
    }

    /** Only the named columns, row-major {@code [rows, columns.size()]}: the features a model predicts from. */
    public static float[] readColumns(Path file, List<String> columns) {
        return readColumns(file, columns, java.util.Map.of());
    }

    /**
     * The features a model predicts from, row-major {@code [rows, features.size()]}: its feature
     * names as it was trained, where {@code column=category} names come from a categorical
     * column of the file (one of {@code categories}' keys, whose lists are the model's categories),
     * one-hot encoded; a category the model does not know is a problem with its line and column.
     */
    public static float[] readColumns(Path file, List<String> features, java.util.Map<String, List<String>> categories) {
        List<String> columns = new java.util.ArrayList<>();
        for (String f : features) {
            String column = categoryColumnOf(f, categories);
            if (!columns.contains(column)) columns.add(column);
        }
        try (RowSource table = RowSource.open(file)) {
            int[] idx = table.columns(columns, "feature");
            java.util.Map<Integer, CategoryColumn> categorical = new java.util.LinkedHashMap<>();
            for (int i = 0; i < idx.length; i++) {
                if (categories.containsKey(columns.get(i))) {
                    categorical.put(idx[i], CategoryColumn.known(columns.get(i), categories.get(columns.get(i))));
                }
            }
            Problems problems = table.problems();
            float[] values = table.numbers(problems, categorical, idx)[0];
            problems.throwIfAny();
            if (categorical.isEmpty()) return values;
            OneHot expanded = OneHot.of(values, idx, columns, categorical);
            if (!expanded.names().equals(features)) {
                throw new InputException(file + ": the model's features " + features + " are not its columns' " + expanded.names());
            }
            return expanded.values();
        }
    }

    /** The file column a model's feature comes from: {@code color} for {@code color=red} when color is categorical. */
    private static String categoryColumnOf(String feature, java.util.Map<String, List<String>> categories) {
        int eq = feature.indexOf('=');
        while (eq > 0) {
            if (categories.containsKey(feature.substring(0, eq))) return feature.substring(0, eq);
            eq = feature.indexOf('=', eq + 1);
        }
        return feature;
    }

    private static int[] restOf(int width, int[] taken) {
        return java.util.stream.IntStream.range(0, width)
                .filter(c -> java.util.Arrays.stream(taken).noneMatch(t -> t == c)).toArray();
    }

}
