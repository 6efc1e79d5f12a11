package dev.downhill.data;

import dev.downhill.InputException;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, as NumPy documents it (numpy.lib.format): the magic
 * {@code \x93NUMPY}, a version, the length of a header that is a Python dict literal with
 * {@code descr}, {@code fortran_order} and {@code shape}, then the data. Read: booleans, signed and
 * unsigned integers of 1 to 8 bytes and floats of 4 and 8, either byte order, C or Fortran order.
 * Errors name the byte offset and the field.
 */
final class NpyFormat {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([biuf])(\\d+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFormat() {}

    /** The array in {@code in}; {@code where} names it in errors (a file, or an archive's entry). */
    static NumericArray read(InputStream in, String where, String name) {
        DataInputStream data = new DataInputStream(in);
        try {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new InputException(where + ": offset 0: not a NumPy .npy array (no \\x93NUMPY magic)");
            int major = data.readUnsignedByte();
            data.readUnsignedByte();
            long headerLength = switch (major) {
                case 1 -> Short.toUnsignedInt(Short.reverseBytes(data.readShort()));
                case 2, 3 -> Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
                default -> throw new InputException(where + ": offset 6: .npy format version " + major + " (1, 2 and 3 are read)");
            };
            int headerStart = major == 1 ? 10 : 12;
            if (headerLength > 1 << 20) throw new InputException(where + ": offset " + (headerStart - 4) + ": a header of " + headerLength + " bytes");
            byte[] headerBytes = new byte[(int) headerLength];
            data.readFully(headerBytes);
            String header = new String(headerBytes, StandardCharsets.UTF_8);
            Matcher descr = field(DESCR, header, "descr", where, headerStart);
            Matcher order = field(ORDER, header, "fortran_order", where, headerStart);
            Matcher shapeText = field(SHAPE, header, "shape", where, headerStart);
            int[] shape = shape(shapeText.group(1), where, headerStart);
            char kind = descr.group(2).charAt(0);
            int bytes = Integer.parseInt(descr.group(3));
            if (!(kind == 'f' ? bytes == 4 || bytes == 8 : kind == 'b' ? bytes == 1 : bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8)) {
                throw new InputException(where + ": offset " + headerStart + ": field 'descr': dtype '" + descr.group(1) + kind + bytes
                        + "' is not read (floats of 4 or 8 bytes, integers of 1 to 8, booleans)");
            }
            ByteOrder byteOrder = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            long count = 1;
            for (int d : shape) {
                count *= d;                                     // each factor is below 2^31 and the product is bounded here
                if (count * bytes > Integer.MAX_VALUE - 8 || count > dev.downhill.MemoryBudget.MAX_ARRAY) {
                    throw new InputException(where + ": offset " + headerStart + ": field 'shape': " + shapeText.group(1).strip()
                            + " is more elements than one array holds");
                }
            }
            long dataStart = headerStart + headerLength;
            // read before allocating what the header claims: a damaged shape must not cost gigabytes
            int need = (int) (count * bytes);
            byte[] raw = data.readNBytes(need);
            if (raw.length < need) {
                throw new InputException(where + ": offset " + (dataStart + raw.length) + ": the data ends after " + raw.length
                        + " of " + need + " bytes the header's shape needs");
            }
            float[] values = convert(ByteBuffer.wrap(raw).order(byteOrder), kind, bytes, (int) count);
            if (order.group(1).equals("True")) values = toRowMajor(values, shape);
            return new NumericArray(name, shape, values);
        } catch (EOFException e) {
            throw new InputException(where + ": ends inside the .npy header");
        } catch (IOException e) {
            throw new InputException(where + ": cannot read (" + dev.downhill.io.AtomicFile.reason(e) + ")");
        }
    }

    private static Matcher field(Pattern p, String header, String name, String where, int offset) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new InputException(where + ": offset " + offset + ": the header has no readable '" + name + "': " + header.strip());
        return m;
    }

    private static int[] shape(String text, String where, int offset) {
        String[] parts = text.split(",");
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (String p : parts) {
            String t = p.strip().replaceFirst("L$", "");
            if (t.isEmpty()) continue;
            try {
                int size = Integer.parseInt(t);
                if (size < 0) throw new NumberFormatException();
                dims.add(size);
            } catch (NumberFormatException e) {
                throw new InputException(where + ": offset " + offset + ": field 'shape': '" + text + "' is not a tuple of sizes");
            }
        }
        if (dims.isEmpty()) throw new InputException(where + ": offset " + offset + ": field 'shape': a single number, not rows of data");
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float[] convert(ByteBuffer b, char kind, int bytes, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = switch (kind) {
                case 'f' -> bytes == 4 ? b.getFloat() : (float) b.getDouble();
                case 'b' -> b.get() != 0 ? 1 : 0;
                case 'u' -> switch (bytes) {
                    case 1 -> Byte.toUnsignedInt(b.get());
                    case 2 -> Short.toUnsignedInt(b.getShort());
                    case 4 -> Integer.toUnsignedLong(b.getInt());
                    default -> unsigned(b.getLong());
                };
                default -> switch (bytes) {
                    case 1 -> b.get();
                    case 2 -> b.getShort();
                    case 4 -> b.getInt();
                    default -> b.getLong();
                };
            };
        }
        return v;
    }

    private static float unsigned(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) * 2.0 + (v & 1));
    }

    /** Fortran order (the first index fastest) to C order. */
    private static float[] toRowMajor(float[] values, int[] shape) {
        float[] out = new float[values.length];
        int n = shape.length;
        int[] index = new int[n];
        for (int f = 0; f < values.length; f++) {
            int c = 0;
            for (int d = 0; d < n; d++) c = c * shape[d] + index[d];
            out[c] = values[f];
            for (int d = 0; d < n && ++index[d] == shape[d]; d++) index[d] = 0;
        }
        return out;
    }
}
