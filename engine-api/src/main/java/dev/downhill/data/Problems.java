package dev.downhill.data;

import dev.downhill.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The problems found in a data file: all are counted, the first is reported with its line and column. */
final class Problems {
    private final Path file;
    private final List<String> found = new ArrayList<>();

    Problems(Path file) {
        this.file = file;
    }

    /** @param column 1-based column, or 0 for the whole line */
    void add(int line, int column, String what) {
        found.add(file + ":" + line + (column > 0 ? ":" + column : "") + ": " + what);
    }

    /** The finite number in a cell, or 0 after recording why it is not one. */
    float number(List<String> cells, int index, List<String> header, int line) {
        String text = cells.get(index).trim();
        String where = "column '" + header.get(index) + "'";
        if (text.isEmpty()) {
            add(line, index + 1, where + " is empty");
            return 0;
        }
        float value;
        try {
            value = Float.parseFloat(text);
        } catch (NumberFormatException e) {
            add(line, index + 1, where + ": '" + text + "' is not a number");
            return 0;
        }
        if (!Float.isFinite(value)) {
            add(line, index + 1, where + ": '" + text + "' is not finite");
            return 0;
        }
        return value;
    }

    void throwIfAny() {
        if (found.isEmpty()) return;
        String more = found.size() > 1 ? " (and " + (found.size() - 1) + " more problems)" : "";
        throw new InputException(found.getFirst() + more);
    }
}
