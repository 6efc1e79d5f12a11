package dev.downhill.network;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each tensor lives in the one flat parameter buffer that every backend keeps:
 * layer by layer, weight {@code [out, in]} row-major then bias {@code [out]}. Tensor names are
 * those of the equivalent PyTorch {@code nn.Sequential} state dict: every dense layer is a
 * module and so is every activation after it, so a 2-2-1 sigmoid net is named
 * {@code 0.weight, 0.bias, 2.weight, 2.bias}.
 */
public final class ParameterLayout {

    /** One named tensor: {@code length} floats from {@code offset}, of the given shape (copied in and out: a layout cannot be changed). */
    public record Tensor(String name, int offset, int[] shape) {
        public Tensor {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public int length() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        public String shapeText() {
            return java.util.Arrays.toString(shape);
        }
    }

    private final List<Tensor> tensors;
    private final int size;

    private ParameterLayout(List<Tensor> tensors, int size) {
        this.tensors = List.copyOf(tensors);
        this.size = size;
    }

    static ParameterLayout of(Network network) {
        List<Tensor> tensors = new ArrayList<>();
        int offset = 0;
        int module = 0;
        for (int i = 0; i < network.layers().size(); i++) {
            DenseLayer layer = network.layers().get(i);
            int in = network.inputWidthOf(i);
            tensors.add(new Tensor(module + ".weight", offset, new int[] {layer.units(), in}));
            offset = Math.addExact(offset, Math.multiplyExact(layer.units(), in));
            tensors.add(new Tensor(module + ".bias", offset, new int[] {layer.units()}));
            offset = Math.addExact(offset, layer.units());
            module += layer.activation() == Activation.IDENTITY ? 1 : 2;
        }
        return new ParameterLayout(tensors, offset);
    }

    /** Total number of parameters. */
    public int size() {
        return size;
    }

    /** All tensors in buffer order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    public Tensor weight(int layer) {
        return tensors.get(2 * layer);
    }

    public Tensor bias(int layer) {
        return tensors.get(2 * layer + 1);
    }

    /** Copies one tensor out of a flat buffer. */
    public static float[] slice(float[] flat, Tensor t) {
        return java.util.Arrays.copyOfRange(flat, t.offset(), t.offset() + t.length());
    }
}
