package dev.downhill.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Feature rows whose categorical columns hold category codes, with each such column replaced by
 * its one-hot features {@code column=category}, in its categories' order.
 */
record OneHot(float[] values, List<String> names) {
    /**
     * @param codes       row-major {@code [rows, columns.length]}: numbers, and codes in categorical columns
     * @param columns     the file's column index of each value column
     * @param names       the names of the value columns
     * @param categorical the categorical columns by file column index
     */
    static OneHot of(float[] codes, int[] columns, List<String> names, Map<Integer, CategoryColumn> categorical) {
        int width = columns.length, rows = codes.length / Math.max(1, width);
        List<String> expanded = new ArrayList<>();
        int[] start = new int[width];
        int[][] positions = new int[width][];
        for (int c = 0; c < width; c++) {
            start[c] = expanded.size();
            CategoryColumn category = categorical.get(columns[c]);
            if (category == null) {
                expanded.add(names.get(c));
            } else {
                positions[c] = category.positions();
                for (String value : category.categories()) expanded.add(names.get(c) + "=" + value);
            }
        }
        int out = expanded.size();
        float[] values = new float[Math.multiplyExact(rows, out)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                float v = codes[r * width + c];
                if (positions[c] == null) values[r * out + start[c]] = v;
                else if (v >= 0) values[r * out + start[c] + positions[c][(int) v]] = 1;
            }
        }
        return new OneHot(values, List.copyOf(expanded));
    }
}
