package dev.downhill.data;

import java.util.ArrayList;
import java.util.List;

/** Splits one CSV line into cells: commas separate, double quotes may wrap a cell ({@code ""} is a quote). */
final class CsvLine {
    /** Values echoed in errors are cut to this many characters: a 10 MB cell is not a message. */
    static final int SHOWN_CHARS = 40;

    private CsvLine() {}

    /** {@code text}, or its beginning and how long it was, for an error message. */
    static String clip(String text) {
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "… (" + text.length() + " characters)";
    }

    /**
     * Whether {@code text} is a decimal number as CSV files write them: a sign, digits with at most
     * one point, an exponent. Java's parser would also take {@code 0x1p3}, {@code 2f} and {@code 2.5d}.
     */
    static boolean isDecimal(String text) {
        int i = 0, n = text.length();
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) i++;
        int digits = 0;
        while (i < n && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) { i++; digits++; }
        if (i < n && text.charAt(i) == '.') {
            i++;
            while (i < n && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) i++;
            int exponent = 0;
            while (i < n && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == n;
    }

    static List<String> split(String line) {
        if (line.indexOf('"') < 0) return splitPlain(line);
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    /** A line without quotes: its cells are the spans between commas, taken whole (most data files are all such lines). */
    private static List<String> splitPlain(String line) {
        List<String> cells = new ArrayList<>();
        int from = 0;
        for (int comma; (comma = line.indexOf(',', from)) >= 0; from = comma + 1) cells.add(line.substring(from, comma));
        cells.add(line.substring(from));
        return cells;
    }
}
