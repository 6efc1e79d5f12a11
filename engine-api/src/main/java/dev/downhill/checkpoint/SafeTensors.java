package dev.downhill.checkpoint;

import dev.downhill.InputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, float32 tensors only: an 8-byte little-endian header length N, a
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

    /** A file's tensors, in file order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private SafeTensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder header = new StringBuilder("{");
        header.append(Json.quote(METADATA)).append(":{");
        header.append(String.join(",", metadata.entrySet().stream()
                .map(e -> Json.quote(e.getKey()) + ":" + Json.quote(e.getValue())).toList()));
        header.append('}');
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = 4L * e.getValue().data().length;
            header.append(',').append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(e.getValue().shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        // pad the header with spaces so the data starts 8-byte aligned, as the reference writer does
        while ((header.length() + 8) % 8 != 0) header.append(' ');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);

        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(8 + headerBytes.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(headerBytes.length).put(headerBytes);
        for (Tensor t : tensors.values()) for (float v : t.data()) buffer.putFloat(v);
        buffer.flip();
        writeAtomically(file, buffer);
    }

    private static void writeAtomically(Path file, ByteBuffer bytes) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (bytes.hasRemaining()) ch.write(bytes);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new InputException(file + ": cannot write checkpoint (" + e.getMessage() + ")");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
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
            return new Contents(tensors(file, ch, header, dataStart, size - dataStart), metadata(file, header));
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private record Entry(String name, int[] shape, long begin, long end) {}

    private static Map<String, Tensor> tensors(Path file, FileChannel ch, Map<?, ?> header, long dataStart, long dataSize)
            throws IOException {
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
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer bytes = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, bytes, dataStart + e.begin);
            float[] values = new float[bytes.capacity() / 4];
            bytes.flip().asFloatBuffer().get(values);
            out.put(e.name, new Tensor(e.shape, values));
        }
        return out;
    }

    private static Entry entry(Path file, String name, Object value, long dataSize) {
        if (!(value instanceof Map<?, ?> info)) throw corrupt(file, "tensor '" + name + "' is not described by an object");
        Object dtype = info.get("dtype");
        if (!"F32".equals(dtype)) {
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
        if (end - begin != 4 * count) {
            throw corrupt(file, "tensor '" + name + "' of shape " + shapeList + " needs " + 4 * count + " bytes, its offsets span "
                    + (end - begin));
        }
        return new Entry(name, shape, begin, end);
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
