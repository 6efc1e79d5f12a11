package dev.downhill.data;

/**
 * An n-dimensional array of numbers read from a NumPy or IDX file, as float32 in C order (the
 * last index fastest). Its first dimension is the rows of a data set; the rest, flattened, its
 * columns.
 *
 * @param name   what an error calls it: the array's name in an archive, or the file's
 * @param shape  the dimensions, at least one
 * @param values {@code shape[0] × … × shape[n−1]} numbers
 */
record NumericArray(String name, int[] shape, float[] values) {
    NumericArray {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    int rows() {
        return shape[0];
    }

    /** The numbers per row: the product of the dimensions after the first (1 for a vector). */
    int width() {
        int w = 1;
        for (int d = 1; d < shape.length; d++) w = Math.multiplyExact(w, shape[d]);
        return w;
    }
}
