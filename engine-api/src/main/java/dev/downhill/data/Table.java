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

    static Table read(Path file) {
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
        if (lines.isEmpty() || lines.getFirst().isBlank()) throw new InputException(file + ": the file is empty");
        List<String> header = CsvLine.split(lines.getFirst()).stream().map(String::trim).toList();
        int end = lines.size();
        while (end > 1 && lines.get(end - 1).isBlank()) end--;   // trailing blank lines end the file
        if (end == 1) throw new InputException(file + ": no data rows after the header");
        return new Table(file, header, lines.subList(1, end));
    }

    List<String> header() {
        return header;
    }

    int[] columns(List<String> wanted, String role) {
        int[] idx = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            idx[i] = header.indexOf(wanted.get(i));
            if (idx[i] < 0) {
                throw new InputException(file + ": unknown " + role + " column '" + wanted.get(i) + "' (columns: "
                        + String.join(", ", header) + ")");
            }
            if (header.lastIndexOf(wanted.get(i)) != idx[i]) {
                throw new InputException(file + ": column '" + wanted.get(i) + "' appears more than once in the header");
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
