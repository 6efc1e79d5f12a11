package dev.downhill.data;

import dev.downhill.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The problems found in a data file, every one of them, each with its line and column, and
 * which rows they make unusable. Reported all together (the first {@value #SHOWN}, then a count).
 */
final class Problems {
    static final int SHOWN = 20;
    private final Path file;
    private final boolean lines;
    private final java.util.BitSet badRow = new java.util.BitSet();
    private long[] lineOfRow = new long[1024];
    private final List<String> found = new ArrayList<>();
    private final java.util.EnumSet<InputException.Remedy> remedies = java.util.EnumSet.noneOf(InputException.Remedy.class);

    /** @param lines where a row is: true for a text file's line (and column), false for an array's row (and column) */
    Problems(Path file, boolean lines) {
        this.file = file;
        this.lines = lines;
    }

    /** Data row {@code row} (0-based) starts on line {@code line} of a text file: rows are told in order, as they are read. */
    void row(int row, long line) {
        if (row >= lineOfRow.length) lineOfRow = java.util.Arrays.copyOf(lineOfRow, 2 * lineOfRow.length);
        lineOfRow[row] = line;
    }

    /** @param row 0-based data row, already told with {@link #row}; @param column 1-based column, or 0 for the whole row */
    void add(int row, int column, String what) {
        badRow.set(row);
        found.add(lines ? file + ":" + lineOfRow[row] + (column > 0 ? ":" + column : "") + ": " + what
                : file + ": row " + (row + 1) + (column > 0 ? ", column " + column : "") + ": " + what);
    }

    /** The same, for a problem that {@code remedy} would also get past. */
    void add(int row, int column, String what, InputException.Remedy remedy) {
        add(row, column, what);
        remedies.add(remedy);
    }

    /** The finite number in a cell, or 0 after recording why it is not one. */
    float number(List<String> cells, int index, List<String> header, int row) {
        String text = cells.get(index).trim();
        String where = "column '" + header.get(index) + "'";
        if (text.isEmpty()) {
            add(row, index + 1, where + " is empty");
            return 0;
        }
        if (!CsvCell.isDecimal(text)) {
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            boolean nonFinite = lower.matches("[+-]?(nan|inf|infinity)");
            add(row, index + 1, where + ": '" + CsvCell.clip(text) + "' is " + (nonFinite ? "not finite" : "not a number"));
            return 0;
        }
        float value = Float.parseFloat(text);
        if (!Float.isFinite(value)) {
            add(row, index + 1, where + ": '" + CsvCell.clip(text) + "' is beyond float32's range (±3.4e38)");
            return 0;
        }
        return value;
    }

    boolean any() {
        return !found.isEmpty();
    }

    java.util.BitSet badRows() {
        return badRow;
    }

    int badRowCount() {
        return badRow.cardinality();
    }

    /** Throws the report: a one-line message for one problem, else a summary line and the first problems. */
    void throwIfAny() {
        if (found.isEmpty()) return;
        if (found.size() == 1) throw new InputException(found.getFirst(), remedies);
        StringBuilder s = new StringBuilder(file + ": " + found.size() + " problems in " + badRowCount() + " rows:");
        for (String f : found.subList(0, Math.min(SHOWN, found.size()))) s.append("\n  ").append(f);
        if (found.size() > SHOWN) s.append("\n  ... and ").append(found.size() - SHOWN).append(" more");
        var all = java.util.EnumSet.copyOf(remedies);
        all.add(InputException.Remedy.DROP_BAD_ROWS);                // rows that each have a problem can be left out
        throw new InputException(s.toString(), all);
    }
}
