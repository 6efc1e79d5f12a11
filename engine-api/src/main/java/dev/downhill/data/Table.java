package dev.downhill.data;

import dev.downhill.InputException;

import de.siegmar.fastcsv.reader.CsvRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file read by FastCSV (RFC 4180: quoted cells may hold commas, quotes and line breaks):
 * its header at once, then its rows streamed into the numbers of chosen columns, checked cell
 * by cell, each problem with the line the row starts on.
 */
final class Table implements RowSource {
    /** Longer rows are not CSV rows (a binary file, {@code /dev/zero}): stop before they fill the memory. */
    static final int MAX_LINE_CHARS = 1 << 24;
    private final Path file;
    private final CheckedText text;
    private final de.siegmar.fastcsv.reader.CsvReader<CsvRecord> csv;
    private final java.util.Iterator<CsvRecord> records;
    private final List<String> header;
    private int rows = -1;
    /** The last record read: the parser's place, which the text below it has read past. */
    private CsvRecord last;

    private Table(Path file, CheckedText text) {
        this.file = file;
        this.text = text;
        // every row is checked here: the parser keeps empty lines and rows of any width for that
        this.csv = de.siegmar.fastcsv.reader.CsvReader.builder().skipEmptyLines(false).allowExtraFields(true)
                .allowMissingFields(true).maxBufferSize(MAX_LINE_CHARS).ofCsvRecord(text);
        this.records = csv.iterator();
        CsvRecord first = next();
        if (first == null) throw new InputException(file + ": the file is empty");
        if (isBlank(first)) throw new InputException(file + ":1: the first line is blank; it must be the header naming the columns");
        this.header = header(file, first.getFields());
    }

    /** Opens {@code file} and reads its header. */
    static Table open(Path file) {
        checkFitsInMemory(file);
        Reader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + dev.downhill.io.AtomicFile.reason(e) + ")");
        }
        CheckedText text = new CheckedText(file, in);
        try {
            return new Table(file, text);
        } catch (RuntimeException e) {
            closeQuietly(text);
            throw e;
        }
    }

    /** The next record, or null at the end; what the parser or the decoder meets is an error with its line. */
    private CsvRecord next() {
        try {
            if (!records.hasNext()) return null;
            return last = records.next();
        } catch (RuntimeException e) {
            // FastCSV wraps what the text below it throws: find the first cause we can name
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InputException found) throw found;
                if (t instanceof java.nio.charset.CharacterCodingException) {
                    throw new InputException(file + ":" + lineOfBadUtf8(file, text.line()) + ": not UTF-8 text (is this a CSV file?)");
                }
                if (String.valueOf(t.getMessage()).contains("maximum buffer size")) {
                    throw new InputException(file + ":" + text.line() + ": a line longer than " + MAX_LINE_CHARS
                            + " characters; not a CSV file?");
                }
                if (t instanceof IOException io) {
                    throw new InputException(file + ": cannot read (" + dev.downhill.io.AtomicFile.reason(io) + ")");
                }
            }
            if (e instanceof de.siegmar.fastcsv.reader.CsvParseException) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                throw new InputException(file + ":" + lineAfter(last) + ": not readable as CSV (" + why.getMessage() + ")");
            }
            throw e;
        }
    }

    /** The line the record after {@code r} starts on: the line after r's last, which its quoted cells may have moved down. */
    private static long lineAfter(CsvRecord r) {
        if (r == null) return 1;
        long breaks = 0;
        for (String cell : r.getFields()) breaks += cell.chars().filter(c -> c == '\n').count();
        return r.getStartingLineNumber() + breaks + 1;
    }

    /**
     * The line of the first byte that is not UTF-8. The reader decodes ahead of what it hands on,
     * so this error path decodes the file again, a chunk at a time, up to that byte;
     * {@code otherwise} where the file cannot be read again (a pipe).
     */
    private static long lineOfBadUtf8(Path file, long otherwise) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(1 << 16);
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(1 << 16);
        long line = 1;
        try (var in = Files.newByteChannel(file)) {
            if (!Files.isRegularFile(file)) return otherwise;
            while (true) {
                boolean end = in.read(bytes) < 0;
                bytes.flip();
                var result = decoder.decode(bytes, chars, end);
                chars.flip();
                while (chars.hasRemaining()) if (chars.get() == '\n') line++;
                chars.clear();
                if (result.isError() || end) return line;
                bytes.compact();
            }
        } catch (IOException e) {
            return otherwise;
        }
    }

    private static boolean isBlank(CsvRecord r) {
        return r.getFieldCount() == 1 && r.getField(0).isBlank();
    }

    @Override
    public void close() {
        closeQuietly(csv);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // read only: nothing is lost
        }
    }

    /** The column names: each one present and different from the others, so a model's inputs can be found again by name. */
    private static List<String> header(Path file, List<String> cells) {
        List<String> names = cells.stream().map(String::trim).toList();
        for (int c = 0; c < names.size(); c++) {
            if (names.get(c).isEmpty()) {
                throw new InputException(file + ":1:" + (c + 1) + ": column " + (c + 1) + " has no name in the header");
            }
            int again = names.subList(c + 1, names.size()).indexOf(names.get(c));
            if (again >= 0) {
                throw new InputException(file + ":1:" + (c + again + 2) + ": column name '" + CsvCell.clip(names.get(c))
                        + "' appears twice in the header (columns " + (c + 1) + " and " + (c + again + 2) + ")");
            }
        }
        return names;
    }

    /**
     * The rows live in memory as floats, up to twice the file's size (a one-digit cell and its comma
     * become four bytes), and twice that while an array grows: refuse a regular file that could not
     * fit now, in one line, rather than after minutes of reading with an OutOfMemoryError.
     */
    private static void checkFitsInMemory(Path file) {
        try {
            if (!Files.isRegularFile(file)) return;
            long size = Files.size(file), available = Runtime.getRuntime().maxMemory();
            if (size > available / 3) {
                throw new InputException(file + ": " + size / (1 << 20) + " MiB of data; Downhill holds data in memory "
                        + "and this JVM may use " + available / (1 << 20) + " MiB (give it more with JAVA_OPTS=-Xmx…)");
            }
        } catch (IOException e) {
            // the read that follows reports it
        }
    }

    @Override
    public List<String> header() {
        return header;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Problems problems() {
        return new Problems(file, true);
    }

    /** Rows read by {@link #numbers}: blank lines at the end are not rows. */
    @Override
    public int rows() {
        return rows;
    }

    /**
     * One row-major {@code [rows, group.length]} array per group of columns, read to the end of
     * the file; every problem is recorded with the line its row starts on.
     */
    @Override
    public float[][] numbers(Problems problems, java.util.Map<Integer, CategoryColumn> categorical, int[]... groups) {
        float[][] out = new float[groups.length][];
        for (int g = 0; g < groups.length; g++) out[g] = new float[1024 * groups[g].length];
        int r = 0;
        List<Long> blank = new ArrayList<>();                  // the lines of blank rows not yet followed by a row
        for (CsvRecord record; (record = next()) != null; ) {
            if (isBlank(record)) {
                blank.add(record.getStartingLineNumber());
                continue;
            }
            for (long line : blank) {                           // blank rows between rows are rows with a problem
                out = room(out, groups, r);
                problems.row(r, line);
                problems.add(r++, 0, "empty row");
            }
            blank.clear();
            out = room(out, groups, r);
            problems.row(r, record.getStartingLineNumber());
            if (record.getFieldCount() != header.size()) {
                problems.add(r++, 0, "has " + record.getFieldCount() + " cells, the header has " + header.size());
                continue;
            }
            List<String> cells = record.getFields();
            for (int g = 0; g < groups.length; g++) {
                int[] idx = groups[g];
                for (int i = 0; i < idx.length; i++) {
                    CategoryColumn category = categorical.get(idx[i]);
                    out[g][r * idx.length + i] = category != null ? category.code(cells.get(idx[i]), problems, r, idx[i] + 1)
                            : problems.number(cells, idx[i], header, r);
                }
            }
            r++;
        }
        if (r == 0) throw new InputException(file + ": no data rows after the header");
        rows = r;
        for (int g = 0; g < groups.length; g++) out[g] = java.util.Arrays.copyOf(out[g], r * groups[g].length);
        return out;
    }

    /** The arrays with room for row {@code r}: doubled when full. */
    private static float[][] room(float[][] out, int[][] groups, int r) {
        for (int g = 0; g < groups.length; g++) {
            if ((long) (r + 1) * groups[g].length > out[g].length) {
                out[g] = java.util.Arrays.copyOf(out[g], Math.toIntExact(Math.max(2L * out[g].length, (long) (r + 1) * groups[g].length)));
            }
        }
        return out;
    }
}
