package dev.downhill.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** NumPy files made byte by byte, as numpy.lib.format documents them, for the tests of every module. */
public final class NumpyFiles {
    private NumpyFiles() {}

    /** A .npy file as numpy.lib.format documents version 1.0: magic, version, header length, a padded dict, the data. */
    public static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";       // data starts 64-byte aligned
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    public static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    public static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putDouble(d);
        return b.array();
    }

    public static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long l : v) b.putLong(l);
        return b.array();
    }

    public static void entry(java.util.zip.ZipOutputStream zip, int method, String name, byte[] bytes) throws IOException {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
        e.setMethod(method);
        if (method == java.util.zip.ZipEntry.STORED) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            e.setSize(bytes.length);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** A .npz archive (a zip of .npy entries, deflated as np.savez_compressed writes it) of name, bytes pairs. */
    public static byte[] npz(Object... nameThenNpy) throws IOException {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(zipped)) {
            for (int i = 0; i < nameThenNpy.length; i += 2) {
                entry(zip, java.util.zip.ZipEntry.DEFLATED, nameThenNpy[i] + ".npy", (byte[]) nameThenNpy[i + 1]);
            }
        }
        return zipped.toByteArray();
    }
}
