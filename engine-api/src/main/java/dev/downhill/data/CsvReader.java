package dev.downhill.data;

import dev.downhill.InputException;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a CSV file with a header row into a {@link DataSet}. Target columns are chosen by
 * name; features are the listed columns, or every other column. Every cell must be a finite
 * number: a problem is reported with file, line and column, never dropped silently.
 */
public final class CsvReader {

    /** How the target columns are turned into targets. */
    public enum Targets {
        /** Each target column is one numeric target. */
        VALUES,
        /** One column of integer class labels {@code 0..k−1}, turned into one-hot targets. */
        CLASS_INDEX
    }

    private final List<String> targetColumns;
    private final List<String> featureColumns;
    private final Targets targets;
    private final int classes;

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

    public DataSet read(Path file) {
        Table table = Table.read(file);
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
        float[][] values = table.numbers(featureIdx, targetIdx);
        List<String> featureNames = table.names(featureIdx);
        if (targets == Targets.VALUES) {
            return new DataSet(values[0], values[1], featureNames, table.names(targetIdx));
        }
        return ClassLabels.oneHot(file, table.header().get(targetIdx[0]), targetIdx[0] + 1, values[0], values[1],
                featureNames, classes);
    }

    /** Only the named columns, row-major {@code [rows, columns.size()]}: the features a model predicts from. */
    public static float[] readColumns(Path file, List<String> columns) {
        Table table = Table.read(file);
        return table.numbers(table.columns(columns, "feature"))[0];
    }

    private static int[] restOf(int width, int[] taken) {
        return java.util.stream.IntStream.range(0, width)
                .filter(c -> java.util.Arrays.stream(taken).noneMatch(t -> t == c)).toArray();
    }

}
