package dev.downhill.data;

import dev.downhill.InputException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The IDX format of the MNIST files ({@code train-images-idx3-ubyte}, {@code …-labels-idx1-ubyte},
 * gzipped or not): two zero bytes, a type byte (0x08 unsigned byte, 0x09 byte, 0x0B short,
 * 0x0C int, 0x0D float, 0x0E double), the number of dimensions, each dimension as a big-endian
 * 32-bit size, then the data, big-endian. Errors name the byte offset and the field.
 */
final class IdxFormat {
    private IdxFormat() {}

    /** Whether {@code file}'s name says IDX: {@code …-idx1-ubyte}, {@code …idx3-ubyte.gz} and so on. */
    static boolean named(Path file) {
        return file.getFileName().toString().matches(".*idx\\d-ubyte(\\.gz)?");
    }

    static NumericArray read(Path file) {
        try (InputStream stream = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(stream, 1 << 16);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            DataInputStream data = new DataInputStream(gzip ? new java.util.zip.GZIPInputStream(in, 1 << 16) : in);
            String where = file.toString();
            if (data.readUnsignedShort() != 0) throw new InputException(where + ": offset 0: not an IDX file (it starts with two zero bytes)");
            int type = data.readUnsignedByte(), dims = data.readUnsignedByte();
            int bytes = switch (type) {
                case 0x08, 0x09 -> 1;
                case 0x0B -> 2;
                case 0x0C, 0x0D -> 4;
                case 0x0E -> 8;
                default -> throw new InputException(where + ": offset 2: field 'type': 0x" + Integer.toHexString(type)
                        + " is not an IDX type (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)");
            };
            if (dims < 1) throw new InputException(where + ": offset 3: field 'dimensions': 0; rows of data need at least 1");
            int[] shape = new int[dims];
            long count = 1;
            for (int d = 0; d < dims; d++) {
                shape[d] = data.readInt();
                if (shape[d] < 0) throw new InputException(where + ": offset " + (4 + 4 * d) + ": field 'size " + d + "': " + Integer.toUnsignedLong(shape[d]));
                count *= shape[d];                              // each factor is below 2^31 and the product is bounded here
                if (count > dev.downhill.MemoryBudget.MAX_ARRAY || count * bytes > Integer.MAX_VALUE - 8) {
                    throw new InputException(where + ": offset " + (4 + 4 * d) + ": field 'size " + d + "': the sizes give more "
                            + "elements than one array holds");
                }
            }
            long dataStart = 4 + 4L * dims;
            // read before allocating what the sizes claim: a damaged header must not cost gigabytes
            int need = Math.toIntExact(count * bytes);
            byte[] raw = data.readNBytes(need);
            if (raw.length < need) {
                throw new InputException(where + ": offset " + (dataStart + raw.length) + ": the data ends after " + raw.length
                        + " of the " + need + " bytes its sizes give" + (gzip ? " (offset in the unzipped data)" : ""));
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw);          // big-endian, as IDX is
            float[] values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (type) {
                    case 0x08 -> Byte.toUnsignedInt(b.get());
                    case 0x09 -> b.get();
                    case 0x0B -> b.getShort();
                    case 0x0C -> b.getInt();
                    case 0x0D -> b.getFloat();
                    default -> (float) b.getDouble();
                };
            }
            return new NumericArray(file.getFileName().toString(), shape, values);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (EOFException e) {
            throw new InputException(file + ": ends inside the IDX header");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + dev.downhill.io.AtomicFile.reason(e) + ")");
        }
    }
}
