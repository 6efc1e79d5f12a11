package dev.downhill.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strings of one categorical column, as codes while rows are read: in training every new
 * string becomes a category; in prediction only the model's categories are known, and any other
 * string is a problem of its row (a row the model never saw a category of has no right one-hot
 * encoding to guess).
 */
final class CategoryColumn {
    private final String name;
    private final boolean fixed;
    private final List<String> categories = new ArrayList<>();
    private final Map<String, Integer> codes = new HashMap<>();

    private CategoryColumn(String name, List<String> known, boolean fixed) {
        this.name = name;
        this.fixed = fixed;
        for (String c : known) codes.put(c, codes.size());
        categories.addAll(known);
    }

    /** A column whose categories are learned from the rows. */
    static CategoryColumn learning(String name) {
        return new CategoryColumn(name, List.of(), false);
    }

    /** A column of a trained model: only {@code categories}. */
    static CategoryColumn known(String name, List<String> categories) {
        return new CategoryColumn(name, categories, true);
    }

    /** The code of {@code cell} (trimmed), or −1 after recording why it has none. */
    int code(String cell, Problems problems, int row, int column) {
        String value = cell.trim();
        Integer code = codes.get(value);
        if (code != null) return code;
        if (value.isEmpty()) {
            problems.add(row, column, "column '" + name + "' is empty");
            return -1;
        }
        if (fixed) {
            problems.add(row, column, "column '" + name + "': '" + CsvCell.clip(value) + "' is not one of the categories the model "
                    + "was trained with (" + CsvCell.clip(String.join(", ", categories)) + ")");
            return -1;
        }
        codes.put(value, categories.size());
        categories.add(value);
        return codes.get(value);
    }

    String name() {
        return name;
    }

    /** The categories in the order of their one-hot columns: sorted when learned, so the same data gives the same model. */
    List<String> categories() {
        return fixed ? List.copyOf(categories) : categories.stream().sorted().toList();
    }

    /** For each code, the position of its category among {@link #categories()}. */
    int[] positions() {
        List<String> ordered = categories();
        return categories.stream().mapToInt(ordered::indexOf).toArray();
    }
}
