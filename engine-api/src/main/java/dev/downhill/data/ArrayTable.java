package dev.downhill.data;

import dev.downhill.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy and IDX arrays as columns, so that features, targets and class labels are chosen and
 * checked as in a CSV file. An array of one number per row is a column named as the array; a
 * wider one gives columns {@code name0, name1, …} (its dimensions after the first flattened).
 * <ul>
 * <li>{@code .npz}: every array in the archive, named by its entry ({@code x}, {@code y}), all
 * with the same rows;
 * <li>{@code .npy}: one array, its columns {@code c0, c1, …};
 * <li>IDX: the MNIST pair: images ({@code pixel0, …}) and, found beside them by name, their labels
 * ({@code label}).
 * </ul>
 */
record ArrayTable(Path file, List<NumericArray> arrays, List<String> header, int rows) implements RowSource {

    /** The arrays of {@code file} as columns, each array's named from its prefix; all must have the same rows. */
    private static ArrayTable of(Path file, List<NumericArray> arrays, List<String> prefixes) {
        int rows = arrays.getFirst().rows();
        List<String> header = new ArrayList<>();
        for (NumericArray array : arrays) {
            if (array.rows() != rows) {
                throw new InputException(file + ": array '" + array.name() + "' has " + array.rows() + " rows, '"
                        + arrays.getFirst().name() + "' has " + rows);
            }
        }
        // before naming columns: an empty array's shape may claim any width, which no data then bounds
        if (rows == 0) throw new InputException(file + ": no data rows (the arrays have 0 rows)");
        for (int a = 0; a < arrays.size(); a++) {
            NumericArray array = arrays.get(a);
            if (array.shape().length == 1) header.add(prefixes.get(a));
            else for (int c = 0; c < array.width(); c++) header.add(prefixes.get(a) + c);
        }
        return new ArrayTable(file, List.copyOf(arrays), List.copyOf(header), rows);
    }

    /** Whether {@code file} is read as arrays rather than as CSV: by its name. */
    static boolean handles(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".npy") || name.endsWith(".npz") || IdxFormat.named(file);
    }

    static ArrayTable open(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".npz")) return npz(file);
        if (name.endsWith(".npy")) {
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                NumericArray a = NpyFormat.read(in, file.toString(), "c");
                if (a.shape().length == 1) throw new InputException(file + ": one number per row; a data set needs feature and target columns");
                return of(file, List.of(a), List.of("c"));
            } catch (NoSuchFileException e) {
                throw new InputException(file + ": no such file");
            } catch (IOException e) {
                throw new InputException(file + ": cannot read (" + dev.downhill.io.AtomicFile.reason(e) + ")");
            }
        }
        return idx(file);
    }

    private static ArrayTable npz(Path file) {
        List<NumericArray> arrays = new ArrayList<>();
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(
                new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) continue;
                String entry = e.getName();
                if (!entry.endsWith(".npy")) throw new InputException(file + ": entry '" + entry + "' is not a .npy array");
                arrays.add(NpyFormat.read(zip, file + " (" + entry + ")", entry.substring(0, entry.length() - 4)));
            }
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": not a readable .npz archive (" + dev.downhill.io.AtomicFile.reason(e) + ")");
        }
        if (arrays.isEmpty()) throw new InputException(file + ": no arrays in the archive (is it a .npz file?)");
        return of(file, arrays, arrays.stream().map(NumericArray::name).toList());
    }

    private static ArrayTable idx(Path images) {
        String name = images.getFileName().toString();
        if (!name.contains("images-idx3")) {
            throw new InputException(images + ": give the images file (…-images-idx3-ubyte); its labels are found beside it");
        }
        Path labels = images.resolveSibling(name.replace("images-idx3", "labels-idx1"));
        NumericArray x = IdxFormat.read(images), y = IdxFormat.read(labels);
        if (y.shape().length != 1) throw new InputException(labels + ": labels must be one number per image, its shape is "
                + java.util.Arrays.toString(y.shape()));
        return of(images, List.of(x, y), List.of("pixel", "label"));
    }

    @Override
    public Problems problems() {
        return new Problems(file, false);
    }

    @Override
    public float[][] numbers(Problems problems, java.util.Map<Integer, CategoryColumn> categorical, int[]... groups) {
        if (!categorical.isEmpty()) {
            throw new InputException(file + ": categorical columns are strings, which only a CSV file holds; arrays are numbers");
        }
        float[][] out = new float[groups.length][];
        int[] arrayOf = new int[header.size()], offsetIn = new int[header.size()];
        for (int a = 0, c = 0; a < arrays.size(); a++) {
            for (int i = 0; i < arrays.get(a).width(); i++, c++) {
                arrayOf[c] = a;
                offsetIn[c] = i;
            }
        }
        for (int g = 0; g < groups.length; g++) {
            int[] idx = groups[g];
            out[g] = new float[Math.multiplyExact(rows, idx.length)];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < idx.length; i++) {
                    NumericArray a = arrays.get(arrayOf[idx[i]]);
                    float v = a.values()[r * a.width() + offsetIn[idx[i]]];
                    if (!Float.isFinite(v)) problems.add(r, idx[i] + 1, "column '" + header.get(idx[i]) + "' is " + v);
                    out[g][r * idx.length + i] = Float.isFinite(v) ? v : 0;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {}
}
