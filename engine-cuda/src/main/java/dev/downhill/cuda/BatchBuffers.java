package dev.downhill.cuda;

import dev.downhill.network.Network;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's per-batch device buffers for the general step, sized for {@code capacity} rows:
 * the gathered inputs and targets, per layer z, a = act(z) and d (∂L/∂a, then ∂L/∂z), and, with
 * dropout, per hidden layer the output a ⊙ mask that the layer above reads in training.
 */
final class BatchBuffers implements AutoCloseable {
    final int capacity;
    final DeviceBuffer x, y, ones, partial;
    final DeviceBuffer[] z, a, d;
    /** Per hidden layer a ⊙ mask, where the model drops units; else empty. */
    final DeviceBuffer[] dropped;

    BatchBuffers(CudaContext ctx, Network network, int capacity, boolean dropout) {
        this.capacity = capacity;
        int layers = network.layers().size();
        z = new DeviceBuffer[layers];
        a = new DeviceBuffer[layers];
        d = new DeviceBuffer[layers];
        dropped = new DeviceBuffer[dropout ? layers - 1 : 0];
        List<DeviceBuffer> made = new ArrayList<>();
        try {
            made.add(x = DeviceBuffer.allocate(ctx, (long) capacity * network.inputWidth(), "a batch of inputs"));
            made.add(y = DeviceBuffer.allocate(ctx, (long) capacity * network.outputWidth(), "a batch of targets"));
            made.add(ones = DeviceBuffer.allocate(ctx, capacity, "a vector of ones"));
            made.add(partial = DeviceBuffer.allocate(ctx, Kernels.lossBlocks(KernelCodes.MSE, capacity,
                    network.outputWidth()), "loss partial sums"));
            for (int l = 0; l < layers; l++) {
                long elements = (long) capacity * network.layers().get(l).units();
                String what = "layer " + l + " activations of " + capacity + " rows";
                made.add(z[l] = DeviceBuffer.allocate(ctx, elements, what));
                made.add(a[l] = DeviceBuffer.allocate(ctx, elements, what));
                made.add(d[l] = DeviceBuffer.allocate(ctx, elements, what));
                if (l < dropped.length) made.add(dropped[l] = DeviceBuffer.allocate(ctx, elements, what));
            }
        } catch (RuntimeException e) {
            made.forEach(DeviceBuffer::close);
            throw e;
        }
        ones.fill(Float.floatToRawIntBits(1f));
    }

    /** The input of layer {@code layer}: the batch's rows, or the activations below (after dropout when {@code dropping}). */
    DeviceBuffer input(int layer, boolean dropping) {
        return layer == 0 ? x : dropping ? dropped[layer - 1] : a[layer - 1];
    }

    @Override
    public void close() {
        for (DeviceBuffer b : all()) b.close();
    }

    private List<DeviceBuffer> all() {
        List<DeviceBuffer> list = new ArrayList<>(List.of(x, y, ones, partial));
        for (int l = 0; l < z.length; l++) list.addAll(List.of(z[l], a[l], d[l]));
        list.addAll(List.of(dropped));
        return list;
    }
}
