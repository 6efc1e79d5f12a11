package dev.downhill.data;

import dev.downhill.InputException;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;

/**
 * A data file's characters on their way to the CSV parser: a leading byte-order mark is dropped,
 * a NUL (a binary file, {@code /dev/zero}) stops the read at once, and the lines read so far are
 * counted, so that what goes wrong below the parser (bad UTF-8, an endless line) can name its line.
 */
final class CheckedText extends FilterReader {
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    private final Path file;
    private long newlines;
    private boolean started;

    CheckedText(Path file, Reader in) {
        super(in);
        this.file = file;
    }

    /** The line being read: 1 + the line feeds passed. */
    long line() {
        return newlines + 1;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0 && !started) {
            started = true;
            if (buffer[offset] == BYTE_ORDER_MARK) {
                System.arraycopy(buffer, offset + 1, buffer, offset, --n);
                if (n == 0) return read(buffer, offset, length);
            }
        }
        for (int i = offset; i < offset + n; i++) {
            char c = buffer[i];
            if (c == '\n') newlines++;
            else if (c == '\0') throw new InputException(file + ":" + line() + ": holds a NUL byte; not a text file");
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        char[] one = new char[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
    }
}
