package dev.downhill.data;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.downhill.testing.NumpyFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/** NumPy and IDX files, written here byte by byte as their formats document them, read as columns. */
class ArrayFormatsTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void aNpyMatrixIsColumnsC0ToCn() throws IOException {
        Path f = write("d.npy", npy("<f4", false, "(3, 3)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 0, 3, 4, 1, 5, 6, 0)));
        DataSet d = CsvReader.values("c2").read(f);
        assertEquals(List.of("c0", "c1"), d.featureNames());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features());
        assertArrayEquals(new float[] {0, 1, 0}, d.targets());
    }

    @Test
    void fortranOrderBigEndianAndIntegerArraysAreRead() throws IOException {
        // a 2×3 array [[1,2,3],[4,5,6]] in Fortran order: columns one after the other
        Path fortran = write("f.npy", npy("<f8", true, "(2, 3)", doubles(1, 4, 2, 5, 3, 6)));
        assertArrayEquals(new float[] {1, 2, 4, 5}, CsvReader.values("c2").read(fortran).features());
        Path big = write("b.npy", npy(">f4", false, "(2, 2)", floats(ByteOrder.BIG_ENDIAN, 1.5f, -2, 3, 4)));
        assertArrayEquals(new float[] {1.5f, 3}, CsvReader.values("c1").read(big).features());
        Path bytes = write("u.npy", npy("|u1", false, "(2, 2)", new byte[] {(byte) 255, 1, 7, 0}));
        assertArrayEquals(new float[] {255, 7}, CsvReader.values("c1").read(bytes).features());
    }

    @Test
    void anNpzArchiveIsItsArraysAsColumnGroups() throws IOException {
        for (int method : new int[] {java.util.zip.ZipEntry.STORED, java.util.zip.ZipEntry.DEFLATED}) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(zipped)) {
                entry(zip, method, "x.npy", npy("<f4", false, "(3, 2)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
                entry(zip, method, "y.npy", npy("<i8", false, "(3,)", longs(2, 0, 1)));
            }
            Path f = write("d" + method + ".npz", zipped.toByteArray());
            DataSet d = new CsvReader(List.of("y"), List.of(), CsvReader.Targets.CLASS_INDEX, 0).read(f);
            assertEquals(List.of("x0", "x1"), d.featureNames());
            assertEquals(List.of("y=0", "y=1", "y=2"), d.targetNames());
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, d.targets());
        }
    }

    @Test
    void mnistIdxImagesFindTheirLabelsBesideThem() throws IOException {
        // two 2×2 images of unsigned bytes, gzipped as MNIST is distributed, and their two labels
        ByteBuffer images = ByteBuffer.allocate(16 + 8).put(new byte[] {0, 0, 0x08, 3}).putInt(2).putInt(2).putInt(2)
                .put(new byte[] {0, (byte) 255, 10, 20, 1, 2, 3, 4});
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(images.array());
        }
        Path f = write("train-images-idx3-ubyte.gz", gz.toByteArray());
        write("train-labels-idx1-ubyte.gz", gzip(ByteBuffer.allocate(8 + 2).put(new byte[] {0, 0, 0x08, 1}).putInt(2)
                .put(new byte[] {7, 3}).array()));
        DataSet d = CsvReader.values("label").read(f);
        assertEquals(List.of("pixel0", "pixel1", "pixel2", "pixel3"), d.featureNames());
        assertArrayEquals(new float[] {0, 255, 10, 20, 1, 2, 3, 4}, d.features());
        assertArrayEquals(new float[] {7, 3}, d.targets());
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(bytes);
        }
        return gz.toByteArray();
    }

    @Test
    void damagedFilesNameTheOffsetAndTheField() throws IOException {
        byte[] good = npy("<f4", false, "(2, 2)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        Path truncated = write("t.npy", java.util.Arrays.copyOf(good, good.length - 3));
        // the data starts at byte 128 (the header pads it to a multiple of 64), and 13 of its 16 bytes are there
        assertEquals(truncated + ": offset 141: the data ends after 13 of 16 bytes the header's shape needs", error(truncated, "c1"));
        Path complex = write("c.npy", npy("<c8", false, "(1, 2)", new byte[16]));
        assertEquals(complex + ": offset 10: the header has no readable 'descr': {'descr': '<c8', 'fortran_order': False, 'shape': (1, 2), }",
                error(complex, "c1"));
        Path text = write("x.npy", "a,b\n1,2\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(text + ": offset 0: not a NumPy .npy array (no \\x93NUMPY magic)", error(text, "c1"));
        Path nan = write("n.npy", npy("<f4", false, "(2, 2)", floats(ByteOrder.LITTLE_ENDIAN, 1, Float.NaN, 3, 4)));
        assertEquals(nan + ": row 1, column 2: column 'c1' is NaN", error(nan, "c0"));
        Path idx = write("bad-images-idx3-ubyte", new byte[] {0, 0, 0x07, 1, 0, 0, 0, 1, 0});
        assertEquals(idx + ": offset 2: field 'type': 0x7 is not an IDX type (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)", error(idx, "label"));
    }

    @Test
    void archivedArraysMustHaveTheSameRows() throws IOException {
        byte[] archive = npz("x", npy("<f4", false, "(3, 1)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3)),
                "y", npy("<f4", false, "(2,)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2)));
        Path f = write("m.npz", archive);
        assertEquals(f + ": array 'y' has 2 rows, 'x' has 3", error(f, "y"));
    }

    private static String error(Path f, String target) {
        return assertThrows(InputException.class, () -> CsvReader.values(target).read(f)).getMessage();
    }
}
