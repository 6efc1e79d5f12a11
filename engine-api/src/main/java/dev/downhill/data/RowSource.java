package dev.downhill.data;

import dev.downhill.InputException;

import java.nio.file.Path;
import java.util.List;

/**
 * A data file as named columns of numbers: a CSV file ({@link Table}), or NumPy and IDX arrays
 * ({@link ArrayTable}). {@link CsvReader} chooses features and targets from it and checks them
 * the same way whatever the file.
 */
sealed interface RowSource extends AutoCloseable permits Table, ArrayTable {
    /** The reader for {@code file}: arrays by their names' endings ({@code .npy}, {@code .npz}, IDX), CSV otherwise. */
    static RowSource open(Path file) {
        return ArrayTable.handles(file) ? ArrayTable.open(file) : Table.open(file);
    }

    List<String> header();

    Path file();

    /** Problems located as this file locates them: by line and column in CSV, by row and column in arrays. */
    Problems problems();

    /**
     * One row-major {@code [rows, group.length]} array per group of columns; every problem is
     * recorded. A column in {@code categorical} holds its cells' category codes instead of numbers.
     */
    float[][] numbers(Problems problems, java.util.Map<Integer, CategoryColumn> categorical, int[]... groups);

    /** Data rows (for CSV, known once {@link #numbers} has read them). */
    int rows();

    @Override
    void close();

    default int[] columns(List<String> wanted, String role) {
        List<String> header = header();
        int[] idx = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            idx[i] = header.indexOf(wanted.get(i));
            if (idx[i] < 0) {
                throw new InputException(file() + ": unknown " + role + " column '" + CsvCell.clip(wanted.get(i))
                        + "' (columns: " + CsvCell.clip(String.join(", ", header)) + ")");
            }
            if (wanted.subList(0, i).contains(wanted.get(i))) {
                throw new InputException("the " + role + " column '" + CsvCell.clip(wanted.get(i)) + "' is named twice");
            }
        }
        return idx;
    }

    default List<String> names(int[] idx) {
        return java.util.Arrays.stream(idx).mapToObj(header()::get).toList();
    }
}
