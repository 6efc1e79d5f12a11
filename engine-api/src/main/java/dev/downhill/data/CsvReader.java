package dev.downhill.data;

import dev.downhill.InputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<String> lines = readLines(file);
        if (lines.isEmpty() || lines.getFirst().isBlank()) throw new InputException(file + ": the file is empty");
        List<String> header = CsvLine.split(lines.getFirst()).stream().map(String::trim).toList();
        int[] targetIdx = columnIndexes(file, header, targetColumns, "target");
        int[] featureIdx = featureColumns.isEmpty()
                ? restOf(header.size(), targetIdx)
                : columnIndexes(file, header, featureColumns, "feature");
        if (featureIdx.length == 0) throw new InputException(file + ": no feature columns remain besides the targets");
        for (int f : featureIdx) {
            for (int t : targetIdx) {
                if (f == t) throw new InputException(file + ": column '" + header.get(f) + "' is both a feature and a target");
            }
        }

        int dataLines = lines.size() - 1;
        while (dataLines > 0 && lines.get(dataLines).isBlank()) dataLines--; // trailing blank lines end the file
        if (dataLines == 0) throw new InputException(file + ": no data rows after the header");

        Problems problems = new Problems(file);
        float[] features = new float[dataLines * featureIdx.length];
        float[] rawTargets = new float[dataLines * targetIdx.length];
        for (int r = 0; r < dataLines; r++) {
            int lineNo = r + 2;
            List<String> cells = CsvLine.split(lines.get(r + 1));
            if (cells.size() != header.size()) {
                problems.add(lineNo, 0, "has " + cells.size() + " cells, the header has " + header.size());
                continue;
            }
            for (int i = 0; i < featureIdx.length; i++) {
                features[r * featureIdx.length + i] = problems.number(cells, featureIdx[i], header, lineNo);
            }
            for (int i = 0; i < targetIdx.length; i++) {
                rawTargets[r * targetIdx.length + i] = problems.number(cells, targetIdx[i], header, lineNo);
            }
        }
        problems.throwIfAny();

        List<String> featureNames = names(header, featureIdx);
        if (targets == Targets.VALUES) {
            return new DataSet(features, rawTargets, featureNames, names(header, targetIdx));
        }
        return ClassLabels.oneHot(file, header.get(targetIdx[0]), targetIdx[0] + 1, features, rawTargets,
                featureNames, classes);
    }

    private static List<String> readLines(Path file) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) lines.add(line);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InputException(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return lines;
    }

    private static int[] columnIndexes(Path file, List<String> header, List<String> wanted, String role) {
        int[] idx = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            idx[i] = header.indexOf(wanted.get(i));
            if (idx[i] < 0) {
                throw new InputException(file + ": unknown " + role + " column '" + wanted.get(i) + "' (columns: "
                        + String.join(", ", header) + ")");
            }
        }
        return idx;
    }

    private static int[] restOf(int width, int[] taken) {
        return java.util.stream.IntStream.range(0, width)
                .filter(c -> java.util.Arrays.stream(taken).noneMatch(t -> t == c)).toArray();
    }

    private static List<String> names(List<String> header, int[] idx) {
        return java.util.Arrays.stream(idx).mapToObj(header::get).toList();
    }
}
