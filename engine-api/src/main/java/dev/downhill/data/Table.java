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

/** The lines of a CSV file with its header, and the numbers in chosen columns, checked cell by cell. */
final class Table {
    private final Path file;
    private final List<String> header;
    private final List<String> rows;

    private Table(Path file, List<String> header, List<String> rows) {
        this.file = file;
        this.header = header;
        this.rows = rows;
    }

    /** Longer lines are not CSV rows (a binary file, {@code /dev/zero}): stop before they fill the memory. */
    static final int MAX_LINE_CHARS = 1 << 24;
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    static Table read(Path file) {
        checkFitsInMemory(file);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            readLines(file, in, lines);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InputException(file + ":" + (lines.size() + 1) + ": not UTF-8 text (is this a CSV file?)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + dev.downhill.io.AtomicFile.reason(e) + ")");
        }
        if (lines.isEmpty()) throw new InputException(file + ": the file is empty");
        if (lines.getFirst().isBlank()) {
            throw new InputException(file + ":1: the first line is blank; it must be the header naming the columns");
        }
        List<String> header = header(file, lines.getFirst());
        int end = lines.size();
        while (end > 1 && lines.get(end - 1).isBlank()) end--;   // trailing blank lines end the file
        if (end == 1) throw new InputException(file + ": no data rows after the header");
        return new Table(file, header, lines.subList(1, end));
    }

    /** Lines split on LF or CRLF, each at most {@link #MAX_LINE_CHARS}; a first-line byte-order mark is dropped. */
    private static void readLines(Path file, BufferedReader in, List<String> lines) throws IOException {
        StringBuilder line = new StringBuilder();
        char[] buffer = new char[1 << 16];
        boolean pending = false;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            for (int start = 0; start < n; ) {
                int end = start;                              // the run of this line's characters in the buffer
                while (end < n && buffer[end] != '\n' && buffer[end] != '\0') end++;
                if (end < n && buffer[end] == '\0') {
                    throw new InputException(file + ":" + (lines.size() + 1) + ": holds a NUL byte; not a text file");
                }
                line.append(buffer, start, end - start);
                pending |= end > start;
                if (line.length() > MAX_LINE_CHARS) {
                    throw new InputException(file + ":" + (lines.size() + 1) + ": a line longer than "
                            + MAX_LINE_CHARS + " characters; not a CSV file?");
                }
                if (end < n) {                                // at a line feed
                    lines.add(finish(line, lines.isEmpty()));
                    pending = false;
                }
                start = end + 1;
            }
        }
        if (pending) lines.add(finish(line, lines.isEmpty()));
    }

    private static String finish(StringBuilder line, boolean first) {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        int start = first && end > 0 && line.charAt(0) == BYTE_ORDER_MARK ? 1 : 0;
        String text = line.substring(start, end);
        line.setLength(0);
        return text;
    }

    /** The column names: each one present and different from the others, so a model's inputs can be found again by name. */
    private static List<String> header(Path file, String line) {
        List<String> names = CsvLine.split(line).stream().map(String::trim).toList();
        for (int c = 0; c < names.size(); c++) {
            if (names.get(c).isEmpty()) {
                throw new InputException(file + ":1:" + (c + 1) + ": column " + (c + 1) + " has no name in the header");
            }
            int again = names.subList(c + 1, names.size()).indexOf(names.get(c));
            if (again >= 0) {
                throw new InputException(file + ":1:" + (c + again + 2) + ": column name '" + CsvLine.clip(names.get(c))
                        + "' appears twice in the header (columns " + (c + 1) + " and " + (c + again + 2) + ")");
            }
        }
        return names;
    }

    /**
     * The rows live in memory as text and then as floats: refuse a regular file that could not fit
     * now, in one line, rather than after minutes of reading with an OutOfMemoryError.
     */
    private static void checkFitsInMemory(Path file) {
        try {
            if (!Files.isRegularFile(file)) return;
            long size = Files.size(file), available = Runtime.getRuntime().maxMemory();
            // text read as UTF-16 takes two bytes a character, the parsed floats as much again
            if (size > available / 3) {
                throw new InputException(file + ": " + size / (1 << 20) + " MiB of data; Downhill holds data in memory "
                        + "and this JVM may use " + available / (1 << 20) + " MiB (give it more with JAVA_OPTS=-Xmx…)");
            }
        } catch (IOException e) {
            // the read that follows reports it
        }
    }

    List<String> header() {
        return header;
    }

    int[] columns(List<String> wanted, String role) {
        int[] idx = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            idx[i] = header.indexOf(wanted.get(i));
            if (idx[i] < 0) {
                throw new InputException(file + ": unknown " + role + " column '" + CsvLine.clip(wanted.get(i))
                        + "' (columns: " + CsvLine.clip(String.join(", ", header)) + ")");
            }
            if (wanted.subList(0, i).contains(wanted.get(i))) {
                throw new InputException("the " + role + " column '" + CsvLine.clip(wanted.get(i)) + "' is named twice");
            }
        }
        return idx;
    }

    List<String> names(int[] idx) {
        return java.util.Arrays.stream(idx).mapToObj(header::get).toList();
    }

    int rows() {
        return rows.size();
    }

    Path file() {
        return file;
    }

    /** One row-major {@code [rows, group.length]} array per group of columns; every problem is recorded. */
    float[][] numbers(Problems problems, int[]... groups) {
        float[][] out = new float[groups.length][];
        for (int g = 0; g < groups.length; g++) out[g] = new float[Math.multiplyExact(rows.size(), groups[g].length)];
        for (int r = 0; r < rows.size(); r++) {
            List<String> cells = CsvLine.split(rows.get(r));
            if (cells.size() != header.size()) {
                problems.add(r, 0, rows.get(r).isBlank() ? "empty row"
                        : "has " + cells.size() + " cells, the header has " + header.size());
                continue;
            }
            for (int g = 0; g < groups.length; g++) {
                int[] idx = groups[g];
                for (int i = 0; i < idx.length; i++) out[g][r * idx.length + i] = problems.number(cells, idx[i], header, r);
            }
        }
        return out;
    }
}
