package dev.downhill.cpu;

import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.DropoutMask;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.StepTrace;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataChecks;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;
import dev.downhill.optim.Optimizer;
import org.ejml.data.FMatrixRMaj;

import java.util.ArrayList;
import java.util.List;

/**
 * A network trained on the CPU, written as the textbook loop: gather a batch, forward pass
 * layer by layer, loss and its gradient at the output, backward pass by the chain rule,
 * optimiser step. Every matrix is allocated when the batch size first grows, never per step.
 * Dropout, where asked, multiplies each hidden layer's output by its step's mask before the layer
 * above reads it; clipping scales the gradient before the optimiser's step.
 */
final class CpuModel implements TrainableModel {
    /** Rows scored at a time by {@link #evaluate}, to bound memory on large data sets. */
    private static final int EVALUATION_CHUNK = 4096;

    private final Network network;
    private final Optimizer optimizer;
    private final double maxGradientNorm;
    /** The masks of dropout, or null where there is none. */
    private final DropoutMask dropout;
    private final DataSet train;
    private final int layers;
    private final Activation[] act;
    private final FMatrixRMaj[] w, b, dw, db;
    /** Per-batch activations: {@code z[l]} before and {@code a[l]} after layer l's activation; {@code a[-1]} is {@link #x}. */
    private final FMatrixRMaj[] z, a, da, dz;
    /** Per-batch dropout of hidden layer l: {@code keep[l]} its mask (0 or 1/(1−p)), {@code dropped[l] = a[l] ⊙ keep[l]}. */
    private final FMatrixRMaj[] keep, dropped;
    /** Whether the pass in the matrices dropped units: layer l+1 read {@code dropped[l]}. */
    private boolean dropping;
    private final FMatrixRMaj x, y;
    private final ParameterUpdate update;
    private final DenseLayerMath layerMath;
    private int capacity;

    CpuModel(Network network, float[] parameters, Optimizer optimizer, DataSet train, MatrixProducts.Path productPath,
             Regularization regularization) {
        this.maxGradientNorm = regularization.maxGradientNorm();
        this.dropout = regularization.dropoutMask();
        this.layerMath = new DenseLayerMath(new MatrixProducts(productPath));
        this.network = network;
        this.optimizer = optimizer;
        this.train = train;
        this.layers = network.layers().size();
        this.act = network.layers().stream().map(l -> l.activation()).toArray(Activation[]::new);
        ParameterLayout layout = network.layout();
        w = new FMatrixRMaj[layers];
        b = new FMatrixRMaj[layers];
        dw = new FMatrixRMaj[layers];
        db = new FMatrixRMaj[layers];
        z = new FMatrixRMaj[layers];
        a = new FMatrixRMaj[layers];
        da = new FMatrixRMaj[layers];
        dz = new FMatrixRMaj[layers];
        keep = new FMatrixRMaj[layers - 1];
        dropped = new FMatrixRMaj[layers - 1];
        List<float[]> params = new ArrayList<>(), grads = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int out = network.layers().get(l).units(), in = network.inputWidthOf(l);
            w[l] = new FMatrixRMaj(out, in, true, ParameterLayout.slice(parameters, layout.weight(l)));
            b[l] = new FMatrixRMaj(1, out, true, ParameterLayout.slice(parameters, layout.bias(l)));
            dw[l] = new FMatrixRMaj(out, in);
            db[l] = new FMatrixRMaj(1, out);
            z[l] = new FMatrixRMaj(0, out);
            a[l] = new FMatrixRMaj(0, out);
            da[l] = new FMatrixRMaj(0, out);
            dz[l] = new FMatrixRMaj(0, out);
            if (l < layers - 1) {
                keep[l] = new FMatrixRMaj(0, dropout == null ? 0 : out);
                dropped[l] = new FMatrixRMaj(0, dropout == null ? 0 : out);
            }
            params.add(w[l].data);
            params.add(b[l].data);
            grads.add(dw[l].data);
            grads.add(db[l].data);
        }
        x = new FMatrixRMaj(0, network.inputWidth());
        y = new FMatrixRMaj(0, network.outputWidth());
        update = ParameterUpdate.of(optimizer, params, grads);
    }

    @Override public Network network() { return network; }

    @Override public Optimizer optimizer() { return optimizer; }

    @Override
    public StepsResult trainSteps(int[] rowOrder, int batchSize, float learningRate) {
        requireTrainingData();
        ensureCapacity(Math.min(batchSize, rowOrder.length));
        double lossSum = 0;
        int step = 0;
        for (int start = 0; start < rowOrder.length; start += batchSize, step++) {
            int rows = Math.min(batchSize, rowOrder.length - start);
            gather(train, rowOrder, start, rows);
            forward(rows, true, 0);
            float loss = lossAndOutputDelta();
            if (!Float.isFinite(loss)) return new StepsResult(lossSum / Math.max(start, 1), step, step);
            lossSum += (double) loss * rows;
            backward();
            if (maxGradientNorm > 0) clipGradient();
            update.step(learningRate);
        }
        return new StepsResult(lossSum / rowOrder.length, step, -1);
    }

    @Override
    public BatchGradients gradients(int[] rows, int firstRow) {
        requireTrainingData();
        ensureCapacity(rows.length);
        gather(train, rows, 0, rows.length);
        forward(rows.length, true, firstRow);
        float loss = lossAndOutputDelta();
        backward();
        float[] flat = new float[network.layout().size()];
        copyInto(flat, dw, db);
        return new BatchGradients(a[layers - 1].data.clone(), loss, flat);
    }

    @Override
    public void applyGradients(float[] gradient, float learningRate) {
        ParameterLayout layout = network.layout();
        if (gradient.length != layout.size()) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + layout.size() + " parameters, got a "
                    + "gradient of " + gradient.length);
        }
        copyFrom(gradient, dw, db);
        if (maxGradientNorm > 0) clipGradient();
        update.step(learningRate);
    }

    @Override
    public Evaluation evaluate(DataSet data) {
        DataChecks.checkFits(network, data);
        int n = data.rows(), k = network.outputWidth();
        float[] outputs = new float[n * k];
        double lossSum = 0;
        int chunk = Math.min(n, EVALUATION_CHUNK);
        ensureCapacity(chunk);
        int[] identity = java.util.stream.IntStream.range(0, n).toArray();
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            gather(data, identity, start, rows);
            forward(rows, false, 0);
            lossSum += (double) lossAndOutputDelta() * rows;
            System.arraycopy(a[layers - 1].data, 0, outputs, start * k, rows * k);
        }
        return new Evaluation(outputs, lossSum / n);
    }

    @Override
    public float[] predict(float[] features) {
        int in = network.inputWidth(), k = network.outputWidth(), n = DataChecks.featureRows(features, network);
        float[] outputs = new float[n * k];
        int chunk = Math.max(1, Math.min(n, EVALUATION_CHUNK));
        ensureCapacity(chunk);
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            x.reshape(rows, in);
            System.arraycopy(features, start * in, x.data, 0, rows * in);
            forward(rows, false, 0);
            System.arraycopy(a[layers - 1].data, 0, outputs, start * k, rows * k);
        }
        return outputs;
    }

    @Override
    public float[] parameters() {
        float[] flat = new float[network.layout().size()];
        copyInto(flat, w, b);
        return flat;
    }

    @Override
    public dev.downhill.backend.OptimizerState optimizerState() {
        int n = network.layout().size();
        float[] first = new float[n], second = new float[n];
        if (update.first() != null) copyTensors(update.first(), first, true);
        if (update.second() != null) copyTensors(update.second(), second, true);
        return new dev.downhill.backend.OptimizerState(update.steps(), first, second);
    }

    @Override
    public void restore(float[] parameters, dev.downhill.backend.OptimizerState state) {
        ParameterLayout layout = network.layout();
        if (parameters.length != layout.size() || state.first().length != layout.size()) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + layout.size() + " parameters");
        }
        copyFrom(parameters, w, b);
        if (update.first() != null) copyTensors(update.first(), state.first(), false);
        if (update.second() != null) copyTensors(update.second(), state.second(), false);
        update.setSteps(state.steps());
    }

    /** Per-tensor arrays (weights then bias, layer by layer) to or from the flat layout. */
    private void copyTensors(float[][] tensors, float[] flat, boolean toFlat) {
        int offset = 0;
        for (float[] t : tensors) {
            if (toFlat) System.arraycopy(t, 0, flat, offset, t.length);
            else System.arraycopy(flat, offset, t, 0, t.length);
            offset += t.length;
        }
    }

    @Override public void close() {}

    private void requireTrainingData() {
        if (train == null) throw new IllegalStateException("this model was loaded without training data");
    }

    /** One optimiser step on training row {@code row}, recording every intermediate value. */
    StepTrace traceStep(int row, float learningRate) {
        requireTrainingData();
        ensureCapacity(1);
        gather(train, new int[] {row}, 0, 1);
        float[] x0 = x.data.clone(), y0 = y.data.clone();
        forward(1, true, 0);
        float loss = lossAndOutputDelta();
        backward();
        List<StepTrace.Layer> traced = new ArrayList<>();
        FMatrixRMaj ones = new FMatrixRMaj(1, 1), slope = new FMatrixRMaj(1, 1);
        for (int l = 0; l < layers; l++) {
            boolean fusedOutput = l == layers - 1 && network.loss() != dev.downhill.network.Loss.MSE;
            float[] slopeValues = null;
            if (!fusedOutput) {
                ones.reshape(1, z[l].numCols);
                slope.reshape(1, z[l].numCols);
                java.util.Arrays.fill(ones.data, 0, z[l].numCols, 1f);
                Activations.backward(act[l], z[l], a[l], ones, slope);          // act'(z) by the engine's own rule
                slopeValues = java.util.Arrays.copyOf(slope.data, z[l].numCols);
            }
            traced.add(new StepTrace.Layer(w[l].data.clone(), b[l].data.clone(), row(z[l]), row(a[l]),
                    fusedOutput ? null : row(da[l]), slopeValues, row(dz[l]), dw[l].data.clone(), db[l].data.clone(),
                    null, null, null, null));
        }
        update.step(learningRate);
        for (int l = 0; l < layers; l++) {
            StepTrace.Layer t = traced.get(l);
            traced.set(l, new StepTrace.Layer(t.weights(), t.bias(), t.z(), t.a(), t.lossGradient(), t.slope(), t.delta(),
                    t.weightGradient(), t.biasGradient(), w[l].data.clone(), b[l].data.clone(),
                    state(update.first(), l), state(update.second(), l)));
        }
        return new StepTrace(x0, y0, loss, learningRate, traced);
    }

    /** Layer {@code l}'s part of per-tensor optimiser state (weights, then bias, layer by layer), or null where there is none. */
    private static StepTrace.State state(float[][] tensors, int l) {
        return tensors == null ? null : new StepTrace.State(tensors[2 * l].clone(), tensors[2 * l + 1].clone());
    }

    private static float[] row(FMatrixRMaj m) {
        return java.util.Arrays.copyOf(m.data, m.numCols);
    }

    /** x, y ← rows {@code order[start..start+rows)} of {@code data}. */
    private void gather(DataSet data, int[] order, int start, int rows) {
        int in = x.numCols, out = y.numCols;
        x.reshape(rows, in);
        y.reshape(rows, out);
        for (int r = 0; r < rows; r++) {
            int row = order[start + r];
            System.arraycopy(data.features(), row * in, x.data, r * in, in);
            System.arraycopy(data.targets(), row * out, y.data, r * out, out);
        }
    }

    /**
     * a[l] = act(in[l]·W[l]ᵀ + b[l]) for every layer, where in[l] is a[l−1] or, in training with
     * dropout, a[l−1] ⊙ keep[l−1] with the mask of the optimiser step about to be taken, for rows
     * that start at row {@code firstRow} of the step's batch.
     */
    private void forward(int rows, boolean training, int firstRow) {
        dropping = training && dropout != null;
        for (int l = 0; l < layers; l++) {
            z[l].reshape(rows, z[l].numCols);
            a[l].reshape(rows, a[l].numCols);
            layerMath.forward(input(l), w[l], b[l], act[l], z[l], a[l]);
            if (dropping && l < layers - 1) drop(l, rows, firstRow);
        }
    }

    /** dropped[l] = a[l] ⊙ keep[l], with this step's mask of layer l. */
    private void drop(int l, int rows, int firstRow) {
        int units = a[l].numCols, n = rows * units;
        keep[l].reshape(rows, units);
        dropped[l].reshape(rows, units);
        dropout.fill(update.steps(), l, (long) firstRow * units, keep[l].data, n);
        for (int i = 0; i < n; i++) dropped[l].data[i] = a[l].data[i] * keep[l].data[i];
    }

    /** The batch's mean loss; writes ∂L/∂z of the output layer. */
    private float lossAndOutputDelta() {
        int last = layers - 1, rows = z[last].numRows;
        da[last].reshape(rows, da[last].numCols);
        dz[last].reshape(rows, dz[last].numCols);
        return Losses.lossAndDelta(network.loss(), act[last], z[last], a[last], y, da[last], dz[last]);
    }

    /**
     * g ← g · min(1, maxNorm / (‖g‖₂ + 1e-6)) over every weight and bias gradient as one vector,
     * as torch.nn.utils.clip_grad_norm_ (the norm summed in double, the factor applied in float).
     */
    private void clipGradient() {
        double squares = 0;
        for (int l = 0; l < layers; l++) {
            for (float g : dw[l].data) squares += (double) g * g;
            for (float g : db[l].data) squares += (double) g * g;
        }
        double factor = maxGradientNorm / (Math.sqrt(squares) + 1e-6);
        if (factor >= 1) return;
        float f = (float) factor;
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < dw[l].data.length; i++) dw[l].data[i] *= f;
            for (int i = 0; i < db[l].data.length; i++) db[l].data[i] *= f;
        }
    }

    /** The chain rule from the output delta down: ∂L/∂W, ∂L/∂b of every layer. */
    private void backward() {
        for (int l = layers - 1; l >= 0; l--) {
            layerMath.parameterGradients(dz[l], input(l), dw[l], db[l]);
            if (l > 0) {
                int rows = dz[l].numRows;
                da[l - 1].reshape(rows, da[l - 1].numCols);
                dz[l - 1].reshape(rows, dz[l - 1].numCols);
                layerMath.inputGradient(dz[l], w[l], act[l - 1], z[l - 1], a[l - 1], dropping ? keep[l - 1] : null,
                        da[l - 1], dz[l - 1]);
            }
        }
    }

    private FMatrixRMaj input(int layer) {
        return layer == 0 ? x : dropping ? dropped[layer - 1] : a[layer - 1];
    }

    /** Grows the per-batch matrices to hold {@code rows} rows; a no-op once they are large enough. */
    private void ensureCapacity(int rows) {
        if (rows <= capacity) return;
        for (FMatrixRMaj m : all(z, a, da, dz, keep, dropped)) m.reshape(rows, m.numCols);
        x.reshape(rows, x.numCols);
        y.reshape(rows, y.numCols);
        capacity = rows;
    }

    private static List<FMatrixRMaj> all(FMatrixRMaj[]... groups) {
        List<FMatrixRMaj> out = new ArrayList<>();
        for (FMatrixRMaj[] g : groups) out.addAll(List.of(g));
        return out;
    }

    /** Each layer's weights and bias from the flat layout. */
    private void copyFrom(float[] flat, FMatrixRMaj[] weights, FMatrixRMaj[] biases) {
        ParameterLayout layout = network.layout();
        for (int l = 0; l < layers; l++) {
            System.arraycopy(flat, layout.weight(l).offset(), weights[l].data, 0, layout.weight(l).length());
            System.arraycopy(flat, layout.bias(l).offset(), biases[l].data, 0, layout.bias(l).length());
        }
    }

    private void copyInto(float[] flat, FMatrixRMaj[] weights, FMatrixRMaj[] biases) {
        ParameterLayout layout = network.layout();
        for (int l = 0; l < layers; l++) {
            System.arraycopy(weights[l].data, 0, flat, layout.weight(l).offset(), layout.weight(l).length());
            System.arraycopy(biases[l].data, 0, flat, layout.bias(l).offset(), layout.bias(l).length());
        }
    }
}
