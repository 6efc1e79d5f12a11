package dev.downhill.cuda;

import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.DeviceGradient;
import dev.downhill.backend.DropoutMask;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.StepsResult;
import dev.downhill.backend.Evaluation;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataChecks;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;
import dev.downhill.optim.Optimizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network training on the GPU. The training set, parameters, gradients and optimiser state
 * stay on the device in flat buffers laid out as {@link ParameterLayout}; an epoch copies the
 * row order just ahead of the steps that read it ({@link RowOrderUpload}) and runs the fastest
 * {@link EpochPath} that fits: one launch for the epoch
 * (a tiny network row by row, a small network), or one captured graph replayed per step (a narrow
 * MLP's step in one kernel, or the general path: cuBLAS products and fused elementwise kernels),
 * and reads the per-step losses back once. Row-major tensors are handed to
 * column-major cuBLAS as their transposes. Dropout and gradient clipping run on the general path
 * only ({@link EpochPath}): dropout.cu between the layers, clip_norm.cu before the update.
 */
final class CudaModel implements TrainableModel, DeviceGradient {
    private static final int EVALUATION_CHUNK = 4096;

    private final CudaContext ctx;
    private final Kernels kernels;
    private final Cublas cublas;
    private final boolean tf32TensorCores;
    private final Network network;
    private final Optimizer optimizer;
    private final OptimizerCode optimizerCode;
    private final Regularization regularization;
    /** The masks of dropout, or null where there is none. */
    private final DropoutMask dropout;
    private final int layers, parameterCount, trainRows;
    private final int[] in, out, act;
    private final long[] weightAt, biasAt;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer params, grads, stateM, stateV, trainX, trainY, order, stepIndex, stepCount, rate, stepLoss;
    private final RowOrderUpload orderUpload;
    private final Map<Long, StepGraph> graphs = new HashMap<>();
    private BatchBuffers batch;
    /** clip_norm.cu's partial sums of squares (doubles), where the model clips. */
    private DeviceBuffer normPartials;
    /** mlp64_step's per-block outputs, allocated on its first use. */
    private DeviceBuffer gradPartials, lossPartials;
    private EpochPath fastestPath = EpochPath.TINY_NET;
    private boolean closed;

    CudaModel(CudaBackend backend, Network network, float[] parameters, Optimizer optimizer, DataSet train,
              Regularization regularization) {
        this.regularization = regularization;
        this.dropout = regularization.dropoutMask();
        this.ctx = backend.ctx;
        this.kernels = backend.kernels;
        this.cublas = backend.cublas;
        this.tf32TensorCores = backend.tf32TensorCores;
        this.network = network;
        this.optimizer = optimizer;
        this.optimizerCode = OptimizerCode.of(optimizer);
        this.layers = network.layers().size();
        ParameterLayout layout = network.layout();
        this.parameterCount = layout.size();
        in = new int[layers];
        out = new int[layers];
        act = new int[layers];
        weightAt = new long[layers];
        biasAt = new long[layers];
        for (int l = 0; l < layers; l++) {
            in[l] = network.inputWidthOf(l);
            out[l] = network.layers().get(l).units();
            act[l] = KernelCodes.activation(network.layers().get(l).activation());
            weightAt[l] = layout.weight(l).offset();
            biasAt[l] = layout.bias(l).offset();
        }
        trainRows = train == null ? 0 : train.rows();
        try {
            checkDataFits(train);
            params = own(parameterCount, "parameters");
            grads = own(parameterCount + 1L, "gradients");         // and the loss, for a data-parallel exchange
            stateM = own(parameterCount, "optimiser state");
            stateV = own(parameterCount, "optimiser state");
            trainX = own(train == null ? 1 : train.features().length, "the training features");
            trainY = own(train == null ? 1 : train.targets().length, "the training targets");
            order = own(Math.max(trainRows, 1), "the row order");
            orderUpload = new RowOrderUpload(ctx, order);
            stepLoss = own(Math.max(trainRows, 1), "per-step losses");
            stepIndex = own(1, "the step index");
            stepCount = own(1, "the step count");
            rate = own(1, "the learning rate");
            if (regularization.clipsGradients()) normPartials = own(2L * Kernels.NORM_PARTS, "gradient norm partial sums");
            params.upload(parameters, 0, parameterCount);
            stateM.fill(0);
            stateV.fill(0);
            stepCount.fill(0);
            if (train != null) {
                trainX.upload(train.features(), 0, train.features().length);
                trainY.upload(train.targets(), 0, train.targets().length);
            }
            ctx.synchronize();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void checkDataFits(DataSet train) {
        if (train == null) return;
        long bytes = 4L * (train.features().length + train.targets().length);
        long free = ctx.memoryInfo()[0];
        if (bytes > free * 9 / 10) {
            throw new DeviceMemoryException("the training data needs " + DeviceBuffer.mib(bytes) + " MiB and the device has "
                    + DeviceBuffer.mib(free) + " MiB free: the cuda backend keeps the training set on the GPU; "
                    + "use fewer rows or the cpu backend");
        }
    }

    private DeviceBuffer own(long elements, String what) {
        DeviceBuffer b = DeviceBuffer.allocate(ctx, elements, what);
        owned.add(b);
        return b;
    }

    @Override public Network network() { return network; }

    @Override public Optimizer optimizer() { return optimizer; }

    @Override
    public StepsResult trainSteps(int[] rowOrder, int batchSize, float learningRate) {
        requireTrainingData(rowOrder.length);
        ctx.makeCurrent();
        int n = rowOrder.length;
        orderUpload.begin(rowOrder);
        rate.upload(new float[] {learningRate}, 0, 1);
        int fullSteps = n / batchSize, remainder = n % batchSize;
        int steps = fullSteps + (remainder > 0 ? 1 : 0);
        int rowsPerStep = Math.min(batchSize, n);
        EpochPath path = path(rowsPerStep);
        if (path == EpochPath.TINY_NET) {
            orderUpload.all();
            kernels.tinyNetEpoch(TinyNetPlan.of(network, rowsPerStep), optimizerCode, trainX.pointer, trainY.pointer,
                    order.pointer, n, params.pointer, stateM.pointer, stateV.pointer, rate.pointer, stepCount.pointer,
                    stepLoss.pointer);
        } else if (path == EpochPath.SMALL_NET) {
            orderUpload.all();
            kernels.smallNetEpoch(SmallNetPlan.of(network, rowsPerStep), optimizerCode, trainX.pointer, trainY.pointer,
                    order.pointer, n, params.pointer, stateM.pointer, stateV.pointer, rate.pointer, stepCount.pointer,
                    stepLoss.pointer);
        } else {
            stepIndex.fill(0);
            if (fullSteps > 0) {
                StepGraph step = graph(batchSize, batchSize);
                for (int s = 0; s < fullSteps; s++) {
                    orderUpload.through((s + 1) * batchSize);
                    step.launch();
                }
            }
            if (remainder > 0) {
                orderUpload.all();
                graph(remainder, batchSize).launch();
            }
        }
        float[] losses = stepLoss.download(0, steps);
        double sum = 0;
        for (int s = 0; s < steps; s++) {
            if (!Float.isFinite(losses[s])) return new StepsResult(sum / Math.max(1, s * batchSize), s, s);
            sum += (double) losses[s] * Math.min(batchSize, n - s * batchSize);
        }
        return new StepsResult(sum / n, steps, -1);
    }

    /** The path an epoch of {@code rowsPerStep}-row steps takes. */
    EpochPath path(int rowsPerStep) {
        EpochPath path = EpochPath.of(network, regularization, rowsPerStep, fastestPath);
        return path == EpochPath.FUSED_MLP && fusedPlan(rowsPerStep) == null ? EpochPath.STEP_GRAPH : path;
    }

    /**
     * mlp64_step's plan for steps of {@code rows} rows, or null: the network does not fit it, faster
     * paths are ruled out, or its shared memory does not fit the device (four hidden layers need
     * 205 KiB: Hopper, not A100).
     */
    private Mlp64Plan fusedPlan(int rows) {
        if (fastestPath.compareTo(EpochPath.FUSED_MLP) > 0 || !EpochPath.FUSED_MLP.supports(regularization)) return null;
        Mlp64Plan plan = Mlp64Plan.of(network, rows, tf32TensorCores);
        return plan != null && plan.fits(ctx.maxSharedBytesPerBlock) ? plan : null;
    }

    /** Rows the general step's per-batch buffers hold: 0 until a general step (or an evaluation) needs them. */
    int batchRows() {
        return batch == null ? 0 : batch.capacity;
    }

    /** Rules out the paths faster than {@code fastest}, so that tests can compare each with the next. */
    void limitPath(EpochPath fastest) {
        ctx.synchronize();
        closeGraphs();
        fastestPath = fastest;
    }

    @Override
    public BatchGradients gradients(int[] rows, int firstRow) {
        ctx.makeCurrent();
        enqueueGradient(rows, firstRow);
        float[] outputs = batch.a[layers - 1].download(0, rows.length * network.outputWidth());
        float loss = stepLoss.download(0, 1)[0];
        return new BatchGradients(outputs, loss, grads.download(0, parameterCount));
    }

    @Override
    public void applyGradients(float[] gradient, float learningRate) {
        if (gradient.length != parameterCount) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + parameterCount
                    + " parameters, got a gradient of " + gradient.length);
        }
        ctx.makeCurrent();
        grads.upload(gradient, 0, parameterCount);
        enqueueUpdate(learningRate);
        ctx.synchronize();
    }

    @Override
    public Evaluation evaluate(DataSet data) {
        DataChecks.checkFits(network, data);
        ctx.makeCurrent();
        int n = data.rows(), fw = network.inputWidth(), k = network.outputWidth();
        int chunk = Math.min(n, Math.max(EVALUATION_CHUNK, batch == null ? 0 : batch.capacity));
        ensureCapacity(chunk);
        float[] outputs = new float[n * k];
        double lossSum = 0;
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            batch.x.upload(Arrays.copyOfRange(data.features(), start * fw, (start + rows) * fw), 0, rows * fw);
            batch.y.upload(Arrays.copyOfRange(data.targets(), start * k, (start + rows) * k), 0, rows * k);
            stepIndex.fill(0);
            forward(rows, false, 0);
            lossAndOutputDelta(rows);
            System.arraycopy(batch.a[layers - 1].download(0, rows * k), 0, outputs, start * k, rows * k);
            lossSum += (double) stepLoss.download(0, 1)[0] * rows;
        }
        return new Evaluation(outputs, lossSum / n);
    }

    @Override
    public float[] predict(float[] features) {
        int fw = network.inputWidth(), k = network.outputWidth(), n = DataChecks.featureRows(features, network);
        ctx.makeCurrent();
        int chunk = Math.max(1, Math.min(n, Math.max(EVALUATION_CHUNK, batch == null ? 0 : batch.capacity)));
        ensureCapacity(chunk);
        float[] outputs = new float[n * k];
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            batch.x.upload(Arrays.copyOfRange(features, start * fw, (start + rows) * fw), 0, rows * fw);
            forward(rows, false, 0);
            if (network.outputLayer().activation() == Activation.SOFTMAX) {
                kernels.softmaxRows(batch.z[layers - 1].pointer, batch.a[layers - 1].pointer, rows, k);
            }
            System.arraycopy(batch.a[layers - 1].download(0, rows * k), 0, outputs, start * k, rows * k);
        }
        return outputs;
    }

    @Override
    public float[] parameters() {
        ctx.makeCurrent();
        return params.download(0, parameterCount);
    }

    @Override
    public dev.downhill.backend.OptimizerState optimizerState() {
        ctx.makeCurrent();
        int steps = Float.floatToRawIntBits(stepCount.download(0, 1)[0]);
        return new dev.downhill.backend.OptimizerState(steps, stateM.download(0, parameterCount),
                stateV.download(0, parameterCount));
    }

    @Override
    public void restore(float[] parameters, dev.downhill.backend.OptimizerState state) {
        if (parameters.length != parameterCount || state.first().length != parameterCount) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + parameterCount + " parameters");
        }
        ctx.makeCurrent();
        params.upload(parameters, 0, parameterCount);
        stateM.upload(state.first(), 0, parameterCount);
        stateV.upload(state.second(), 0, parameterCount);
        stepCount.fill(state.steps());
        ctx.synchronize();
    }

    /** The gradient and loss times {@code share} into {@link #grads}, left on the device for NCCL. */
    @Override
    public void computeGradient(int[] rows, int firstRow, float share) {
        ctx.makeCurrent();
        if (rows.length == 0) {
            grads.fill(0);
            return;
        }
        enqueueGradient(rows, firstRow);
        grads.copyFrom(stepLoss, 0, parameterCount, 1);
        cublas.sscal(parameterCount + 1, share, grads.address);
    }

    @Override public long exchangeAddress() { return grads.address; }

    @Override public long exchangeLength() { return parameterCount + 1L; }

    @Override public long stream() { return Cuda.handle(ctx.stream); }

    @Override
    public float applyGradient(float learningRate) {
        ctx.makeCurrent();
        // the step's one wait: for the collective, to see the loss before updating; the update is
        // only enqueued, and the next step's work queues behind it on the same stream
        float loss = grads.download(parameterCount, 1)[0];
        if (!Float.isFinite(loss)) return loss;
        enqueueUpdate(learningRate);
        return loss;
    }

    /** The gradient of rows {@code rows} (from row {@code firstRow} of the step's batch) into {@link #grads}, the loss into stepLoss[0]. */
    private void enqueueGradient(int[] rows, int firstRow) {
        requireTrainingData(rows.length);
        ensureCapacity(rows.length);
        order.upload(rows);
        stepIndex.fill(0);
        enqueueStep(rows.length, rows.length, firstRow, false);
    }

    /** The update with the gradient in {@link #grads}, outside an epoch: at learning rate {@code learningRate}. */
    private void enqueueUpdate(float learningRate) {
        rate.upload(new float[] {learningRate}, 0, 1);
        stepIndex.fill(0);
        enqueueUpdate();
    }

    /**
     * One step on rows order[step·stride ..][0, rows), which start at row {@code firstRow} of the
     * step's batch: gather, forward, loss, backward and, if asked, the update.
     */
    private void enqueueStep(int rows, int stride, int firstRow, boolean update) {
        kernels.gatherRows(trainX.pointer, network.inputWidth(), order.pointer, stepIndex.pointer, stride, rows, batch.x.pointer);
        kernels.gatherRows(trainY.pointer, network.outputWidth(), order.pointer, stepIndex.pointer, stride, rows,
                batch.y.pointer);
        forward(rows, true, firstRow);
        lossAndOutputDelta(rows);
        backward(rows, firstRow);
        if (update) enqueueUpdate();
    }

    /** The gradient clipped, where the model clips, then the optimiser's update and the step counters moved on. */
    private void enqueueUpdate() {
        if (regularization.clipsGradients()) {
            kernels.clipToNorm(grads.pointer, parameterCount, normPartials.pointer, regularization.maxGradientNorm());
        }
        kernels.optimizerUpdate(optimizerCode, params.pointer, grads.pointer, stateM.pointer, stateV.pointer,
                parameterCount, rate.pointer, stepCount.pointer);
        kernels.advanceStep(stepIndex.pointer, stepCount.pointer);
    }

    /**
     * One step whose gradient comes from one launch of mlp64_step (a row of partial gradients per
     * block), then the partials added in a fixed order, the loss, the update.
     */
    private void enqueueFusedStep(Mlp64Plan plan, int rows, int stride) {
        int blocks = plan.blocks(ctx.multiprocessors, rows);
        kernels.mlp64Step(plan, blocks, trainX.pointer, trainY.pointer, order.pointer, stepIndex.pointer, stride, rows,
                params.pointer, gradPartials.pointer, lossPartials.pointer);
        kernels.columnSums(gradPartials.pointer, blocks, parameterCount, grads.pointer);
        kernels.lossFinalize(lossPartials.pointer, blocks, 1f / ((float) rows * network.outputWidth()), stepIndex.pointer,
                stepLoss.pointer);
        kernels.optimizerUpdate(optimizerCode, params.pointer, grads.pointer, stateM.pointer, stateV.pointer,
                parameterCount, rate.pointer, stepCount.pointer);
        kernels.advanceStep(stepIndex.pointer, stepCount.pointer);
    }

    /**
     * z[l] = in[l]·W[l]ᵀ + b[l]; a[l] = act(z[l]), where in[l] is a[l−1] or, in training with dropout,
     * a[l−1] ⊙ mask (for rows from row {@code firstRow} of the step's batch). In cuBLAS's column-major
     * terms zᵀ = W·in[l]ᵀ.
     */
    private void forward(int rows, boolean training, int firstRow) {
        boolean dropping = training && dropout != null;
        for (int l = 0; l < layers; l++) {
            cublas.sgemm(Cublas.OP_T, Cublas.OP_N, out[l], rows, in[l], params.address(weightAt[l]), in[l],
                    batch.input(l, dropping).address, in[l], batch.z[l].address, out[l]);
            kernels.biasActivation(batch.z[l].pointer, batch.a[l].pointer, params.at(biasAt[l]), rows, out[l], act[l]);
            if (dropping && l < layers - 1) {
                kernels.dropout(batch.a[l].pointer, batch.dropped[l].pointer, (long) rows * out[l], (long) firstRow * out[l], l,
                        stepCount.pointer, dropout);
            }
        }
    }

    /** The batch loss into stepLoss[*stepIndex], and ∂L/∂z of the output layer into d[L]. */
    private void lossAndOutputDelta(int rows) {
        int last = layers - 1, k = out[last], loss = KernelCodes.of(network.loss());
        kernels.lossDelta(loss, act[last], batch.z[last].pointer, batch.a[last].pointer, batch.y.pointer,
                batch.d[last].pointer, rows, k, batch.partial.pointer);
        float scale = loss == KernelCodes.CROSS_ENTROPY ? 1f / rows : 1f / ((float) rows * k);
        kernels.lossFinalize(batch.partial.pointer, Kernels.lossBlocks(loss, rows, k), scale, stepIndex.pointer,
                stepLoss.pointer);
    }

    /**
     * The chain rule down the layers: ∂L/∂W = dzᵀ·a[l−1] (column-major: ∂L/∂Wᵀ = a[l−1]ᵀ·dz),
     * ∂L/∂b = dzᵀ·1, ∂L/∂a[l−1] = dz·W, then through dropout's mask (the same draw as the forward
     * pass's) and the activation.
     */
    private void backward(int rows, int firstRow) {
        boolean dropping = dropout != null;
        for (int l = layers - 1; l >= 0; l--) {
            DeviceBuffer dz = batch.d[l], input = batch.input(l, dropping);
            cublas.sgemm(Cublas.OP_N, Cublas.OP_T, in[l], out[l], rows, input.address, in[l], dz.address, out[l],
                    grads.address(weightAt[l]), in[l]);
            cublas.sgemv(Cublas.OP_N, out[l], rows, dz.address, out[l], batch.ones.address, grads.address(biasAt[l]));
            if (l > 0) {
                DeviceBuffer below = batch.d[l - 1];
                cublas.sgemm(Cublas.OP_N, Cublas.OP_N, in[l], rows, out[l], params.address(weightAt[l]), in[l],
                        dz.address, out[l], below.address, in[l]);
                if (dropping) {
                    kernels.dropout(below.pointer, below.pointer, (long) rows * in[l], (long) firstRow * in[l], l - 1,
                            stepCount.pointer, dropout);
                }
                kernels.activationBackward(batch.z[l - 1].pointer, batch.a[l - 1].pointer, below.pointer, below.pointer,
                        (long) rows * in[l], act[l - 1]);
            }
        }
    }

    /**
     * The step graph for this batch shape, captured on first use: mlp64_step's step where there is
     * a {@link #fusedPlan}, else the general step. Only the general step needs the per-batch buffers (about 1 GiB for tcnn's 2¹⁸ rows); they are made here, outside
     * the capture, and growing them drops the graphs captured before, which point at the old ones.
     */
    private StepGraph graph(int rows, int stride) {
        long key = ((long) rows << 32) | stride;
        StepGraph graph = graphs.get(key);
        if (graph != null) return graph;
        Mlp64Plan fused = fusedPlan(rows);
        if (fused == null) {
            ensureCapacity(rows);
            graph = new StepGraph(ctx, () -> enqueueStep(rows, stride, 0, true));
        } else {
            if (gradPartials == null) {
                gradPartials = own((long) ctx.multiprocessors * parameterCount, "per-block gradient partials");
                lossPartials = own(ctx.multiprocessors, "per-block loss partials");
            }
            graph = new StepGraph(ctx, () -> enqueueFusedStep(fused, rows, stride));
        }
        graphs.put(key, graph);
        return graph;
    }

    /** Grows the per-batch buffers to hold {@code rows} rows; the captured graphs point at them, so they go too. */
    private void ensureCapacity(int rows) {
        if (batch != null && batch.capacity >= rows) return;
        ctx.synchronize();
        closeGraphs();
        if (batch != null) batch.close();
        batch = null;
        batch = new BatchBuffers(ctx, network, Math.max(rows, 1), dropout != null);
    }

    private void requireTrainingData(int rows) {
        if (trainRows == 0) throw new IllegalStateException("this model was loaded without training data");
        if (rows > trainRows) {
            throw new IllegalArgumentException(rows + " row indexes for " + trainRows + " training rows");
        }
    }

    private void closeGraphs() {
        graphs.values().forEach(StepGraph::close);
        graphs.clear();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ctx.makeCurrent();
        ctx.synchronize();
        closeGraphs();
        if (batch != null) batch.close();
        if (orderUpload != null) orderUpload.close();
        owned.forEach(DeviceBuffer::close);
    }
}
