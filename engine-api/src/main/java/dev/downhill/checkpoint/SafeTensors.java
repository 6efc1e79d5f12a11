package dev.downhill.checkpoint;

import dev.downhill.InputException;
import dev.downhill.io.AtomicFile;
import dev.downhill.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, float32 tensors (and float64 ones for exact bookkeeping): an 8-byte little-endian header length N, a
 * JSON header of N bytes naming each tensor's dtype, shape and byte range, then the data.
 * Writing is atomic (a temporary file, flushed, then renamed over the target). Reading trusts
 * nothing in the file: every length, offset and shape is checked against the file's size
 * before anything is allocated.
 */
public final class SafeTensors {
    /** Headers larger than this are rejected: a checkpoint's header is a few kilobytes. */
    static final long MAX_HEADER_BYTES = 16 << 20;
    static final String METADATA = "__metadata__";

    /** One float32 tensor. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                    + " does not hold " + data.length + " values");
        }
    }

    /** One float64 tensor: numbers that must round-trip exactly, such as a run's loss history. */
    public record Float64Tensor(int[] shape, double[] data) {
        public Float64Tensor {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                    + " does not hold " + data.length + " values");
        }
    }

    /** A file's float32 and float64 tensors, each in file order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, Float64Tensor> float64, Map<String, String> metadata) {}

    private SafeTensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, Map.of(), metadata);
    }

    /** Writes the float32 tensors, then the float64 ones, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, Float64Tensor> float64,
                             Map<String, String> metadata) {
        StringBuilder header = new StringBuilder("{");
        header.append(Json.write(METADATA)).append(":{");
        header.append(String.join(",", metadata.entrySet().stream()
                .map(e -> Json.write(e.getKey()) + ":" + Json.write(e.getValue())).toList()));
        header.append('}');
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            offset = describe(header, e.getKey(), "F32", e.getValue().shape(), offset, 4L * e.getValue().data().length);
        }
        for (Map.Entry<String, Float64Tensor> e : float64.entrySet()) {
            offset = describe(header, e.getKey(), "F64", e.getValue().shape(), offset, 8L * e.getValue().data().length);
        }
        header.append('}');
        // pad the header with spaces so the data starts 8-byte aligned, as the reference writer does;
        // counted in bytes, since a column name may take several bytes a character
        byte[] unpadded = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] headerBytes = Arrays.copyOf(unpadded, unpadded.length + (8 - unpadded.length % 8) % 8);
        Arrays.fill(headerBytes, unpadded.length, headerBytes.length, (byte) ' ');

        if (headerBytes.length > MAX_HEADER_BYTES) {
            // every file written must load again: refuse here rather than write what read() rejects
            throw new InputException(file + ": the checkpoint's header would be " + headerBytes.length
                    + " bytes, over the " + MAX_HEADER_BYTES + " a reader accepts");
        }
        AtomicFile.write(file, "checkpoint", out -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            chunk.putLong(headerBytes.length);
            out.write(chunk.array(), 0, chunk.position());
            out.write(headerBytes);
            // the data streams out in small chunks: a model of any size needs no second copy in memory
            for (Tensor t : tensors.values()) {
                streamOut(out, chunk, t.data().length, Float.BYTES, (into, from, n) -> into.asFloatBuffer().put(t.data(), from, n));
            }
            for (Float64Tensor t : float64.values()) {
                streamOut(out, chunk, t.data().length, Double.BYTES, (into, from, n) -> into.asDoubleBuffer().put(t.data(), from, n));
            }
        });
    }

    /** Puts values [from, from + n) of an array into a chunk, little-endian. */
    private interface ChunkFill {
        void fill(ByteBuffer chunk, int from, int n);
    }

    /** Writes {@code length} values of {@code bytes} each, a chunk at a time. */
    private static void streamOut(OutputStream out, ByteBuffer chunk, int length, int bytes, ChunkFill fill) throws IOException {
        for (int i = 0; i < length; ) {
            chunk.clear();
            int n = Math.min(length - i, chunk.capacity() / bytes);
            fill.fill(chunk, i, n);
            out.write(chunk.array(), 0, bytes * n);
            i += n;
        }
    }

    /** Appends a tensor's header entry; returns where the next tensor's data begins. */
    private static long describe(StringBuilder header, String name, String dtype, int[] shape, long offset, long bytes) {
        header.append(',').append(Json.write(name)).append(":{\"dtype\":\"").append(dtype).append("\",\"shape\":")
                .append(Arrays.toString(shape).replace(" ", ""))
                .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
        return offset + bytes;
    }

    public static Contents read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw corrupt(file, "shorter than the 8-byte header length (" + size + " bytes)");
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
                throw corrupt(file, "header length " + headerLength + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBytes, 8);
            Object parsed;
            try {
                parsed = Json.parse(StandardCharsets.UTF_8.newDecoder()
                        .decode(headerBytes.flip()).toString());
            } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
                throw corrupt(file, "header is not valid JSON (" + e.getMessage() + ")");
            }
            if (!(parsed instanceof Map<?, ?> header)) throw corrupt(file, "header is not a JSON object");
            long dataStart = 8 + headerLength;
            List<Entry> entries = entries(file, header, size - dataStart);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, Float64Tensor> float64 = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer bytes = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, bytes, dataStart + e.begin);
                bytes.flip();
                if (e.elementBytes == 4) {
                    float[] values = new float[bytes.capacity() / 4];
                    bytes.asFloatBuffer().get(values);
                    tensors.put(e.name, new Tensor(e.shape, values));
                } else {
                    double[] values = new double[bytes.capacity() / 8];
                    bytes.asDoubleBuffer().get(values);
                    float64.put(e.name, new Float64Tensor(e.shape, values));
                }
            }
            return new Contents(tensors, float64, metadata(file, header));
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private record Entry(String name, int elementBytes, int[] shape, long begin, long end) {}

    /** The tensors' descriptions, checked against each other and the data's size. */
    private static List<Entry> entries(Path file, Map<?, ?> header, long dataSize) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            if (METADATA.equals(e.getKey())) continue;
            entries.add(entry(file, (String) e.getKey(), e.getValue(), dataSize));
        }
        // the byte ranges must tile the data region exactly: no gaps, no overlaps, nothing past the end
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw corrupt(file, "tensor '" + e.name + "' starts at byte " + e.begin + ", expected " + expected
                        + " (overlapping or missing data)");
            }
            expected = e.end;
        }
        if (expected != dataSize) {
            throw corrupt(file, "tensors cover " + expected + " bytes of data, the file holds " + dataSize
                    + (expected > dataSize ? " (truncated)" : ""));
        }
        return entries;
    }

    private static Entry entry(Path file, String name, Object value, long dataSize) {
        if (!(value instanceof Map<?, ?> info)) throw corrupt(file, "tensor '" + name + "' is not described by an object");
        Object dtype = info.get("dtype");
        int elementBytes = "F32".equals(dtype) ? 4 : "F64".equals(dtype) ? 8 : 0;
        if (elementBytes == 0) {
            throw new InputException(file + ": tensor '" + name + "' has dtype " + dtype
                    + "; Downhill reads float32 (F32) checkpoints");
        }
        if (!(info.get("shape") instanceof List<?> shapeList) || !(info.get("data_offsets") instanceof List<?> offsets)
                || offsets.size() != 2) {
            throw corrupt(file, "tensor '" + name + "' lacks a shape or a pair of data_offsets");
        }
        int[] shape = new int[shapeList.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw corrupt(file, "tensor '" + name + "' has a bad dimension " + shapeList.get(i));
            }
            shape[i] = d.intValue();
            count = count * d;
            if (count > dataSize) throw corrupt(file, "tensor '" + name + "' of shape " + shapeList + " is larger than the file");
        }
        if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)
                || begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, "tensor '" + name + "' has data_offsets " + offsets + " outside the " + dataSize
                    + " bytes of data");
        }
        if (end - begin != elementBytes * count) {
            throw corrupt(file, "tensor '" + name + "' of shape " + shapeList + " needs " + elementBytes * count
                    + " bytes, its offsets span " + (end - begin));
        }
        if (end - begin > Integer.MAX_VALUE - 8) {
            throw new InputException(file + ": tensor '" + name + "' of shape " + shapeList + " is over 2 GiB, more than one "
                    + "Downhill tensor holds");
        }
        return new Entry(name, elementBytes, shape, begin, end);
    }

    private static Map<String, String> metadata(Path file, Map<?, ?> header) {
        Map<String, String> out = new LinkedHashMap<>();
        Object meta = header.get(METADATA);
        if (meta == null) return out;
        if (!(meta instanceof Map<?, ?> m)) throw corrupt(file, "__metadata__ is not an object");
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) throw corrupt(file, "metadata '" + e.getKey() + "' is not a string");
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, position + into.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private static InputException corrupt(Path file, String what) {
        return new InputException(file + ": not a valid safetensors checkpoint: " + what);
    }
}
