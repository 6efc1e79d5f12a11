package dev.downhill.data;

/** What a CSV cell must be to count as a number, and how a long one is shown in an error. */
final class CsvCell {
    /** Values echoed in errors are cut to this many characters: a 10 MB cell is not a message. */
    static final int SHOWN_CHARS = 40;

    private CsvCell() {}

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
}
