package dev.downhill.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.*;

/**
 * The PTX kernels of the {@code kernels} module, loaded into the context, with one launcher
 * per kernel: each computes its grid from the shapes and checks the launch, naming the kernel
 * and the shapes when it fails.
 */
final class Kernels implements AutoCloseable {
    private static final int BLOCK = 256;
    private final CudaContext ctx;
    /** Each PTX resource loaded (JIT-compiled) once, by name. */
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    /** Kernels loaded on their first use, by name: tiny_net_epoch's per shape, mlp64_step's, column_sums. */
    private final Map<String, CUfunction> onDemand = new HashMap<>();
    private final CUfunction gatherRows, biasActivation, activationBackward, lossDelta, lossFinalize, optimizerUpdate,
            advanceStep, softmaxRows, smallNetEpoch, dropout, clipNormSumSquares, clipNormScale;
    /** Blocks of clip_norm_sum_squares, hence partial sums clip_norm_scale adds: enough to fill an H200 a few times over. */
    static final int NORM_PARTS = 1024;

    Kernels(CudaContext ctx) {
        this.ctx = ctx;
        gatherRows = load("gather_rows");
        biasActivation = load("bias_activation");
        activationBackward = load("activation_backward");
        lossDelta = load("loss_delta");
        lossFinalize = load("loss_finalize");
        optimizerUpdate = load("optimizer_update");
        advanceStep = load("advance_step");
        softmaxRows = load("softmax_rows");
        smallNetEpoch = load("small_net_epoch");
        dropout = load("dropout");
        clipNormSumSquares = load("clip_norm", "clip_norm_sum_squares");
        clipNormScale = load("clip_norm", "clip_norm_scale");
    }

    private CUfunction load(String name) {
        return load(name, name);
    }

    /** Finds the kernel {@code name} in the module of {@code resource}.ptx, loading the module on first use. */
    private CUfunction load(String resource, String name) {
        CUmodule module = modules.computeIfAbsent(resource, Kernels::loadModule);
        CUfunction f = new CUfunction();
        Cuda.check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        return f;
    }

    private static CUmodule loadModule(String resource) {
        String ptx;
        try (InputStream in = Kernels.class.getResourceAsStream("/dev/downhill/kernels/" + resource + ".ptx")) {
            if (in == null) throw new CudaException("kernel " + resource + ".ptx is missing from the kernels jar");
            ptx = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CudaException("cannot read kernel " + resource + ".ptx: " + e.getMessage());
        }
        CUmodule module = new CUmodule();
        int status = cuModuleLoadData(module, ptx);
        if (status == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
            throw new CudaException("the NVIDIA driver is too old for Downhill's kernels (PTX ISA 9.0 needs a driver "
                    + "supporting CUDA 13, r580 or newer)");
        }
        Cuda.check(status, "cuModuleLoadData(" + resource + ".ptx)");
        return module;
    }

    /** dst[r, :] = src[order[step·stride + r], :] for r < rows. */
    void gatherRows(CUdeviceptr src, int width, CUdeviceptr order, CUdeviceptr stepIndex, int stride, int rows,
                    CUdeviceptr dst) {
        launch(gatherRows, "gather_rows(width=" + width + ", rows=" + rows + ")", blocks((long) rows * width), BLOCK,
                Pointer.to(src), Pointer.to(new int[] {width}), Pointer.to(order), Pointer.to(stepIndex),
                Pointer.to(new int[] {stride}), Pointer.to(new int[] {rows}), Pointer.to(dst));
    }

    /** z += b; a = act(z), over [rows, cols]. */
    void biasActivation(CUdeviceptr z, CUdeviceptr a, CUdeviceptr b, int rows, int cols, int act) {
        launch(biasActivation, "bias_activation(rows=" + rows + ", cols=" + cols + ")", blocks((long) rows * cols), BLOCK,
                Pointer.to(z), Pointer.to(a), Pointer.to(b), Pointer.to(new int[] {rows}), Pointer.to(new int[] {cols}),
                Pointer.to(new int[] {act}));
    }

    /** dz = da ⊙ act'(z) over n elements (dz may be da). */
    void activationBackward(CUdeviceptr z, CUdeviceptr a, CUdeviceptr da, CUdeviceptr dz, long n, int act) {
        launch(activationBackward, "activation_backward(n=" + n + ")", blocks(n), BLOCK, Pointer.to(z), Pointer.to(a),
                Pointer.to(da), Pointer.to(dz), Pointer.to(new long[] {n}), Pointer.to(new int[] {act}));
    }

    /**
     * out = in ⊙ mask over n elements of hidden layer {@code layer}'s [rows, units] output, from
     * element {@code first} of the step's whole batch, with the mask of optimiser step
     * {@code *stepCount} (out may be in): dropout.cu.
     */
    void dropout(CUdeviceptr in, CUdeviceptr out, long n, long first, int layer, CUdeviceptr stepCount,
                 dev.downhill.backend.DropoutMask mask) {
        long groups = ((first + n + 3) >> 2) - (first >> 2);
        launch(dropout, "dropout(layer=" + layer + ", n=" + n + ")", blocks(groups), BLOCK, Pointer.to(in), Pointer.to(out),
                Pointer.to(new long[] {n}), Pointer.to(new long[] {first}), Pointer.to(new int[] {layer}), Pointer.to(stepCount),
                Pointer.to(new int[] {mask.keyLow()}), Pointer.to(new int[] {mask.keyHigh()}),
                Pointer.to(new int[] {mask.threshold()}), Pointer.to(new float[] {mask.scale()}));
    }

    /**
     * g ← g · min(1, maxNorm / (‖g‖₂ + 1e-6)) over n gradients (clip_norm.cu), with {@code partials}
     * {@link #NORM_PARTS} doubles of scratch.
     */
    void clipToNorm(CUdeviceptr g, long n, CUdeviceptr partials, double maxNorm) {
        launch(clipNormSumSquares, "clip_norm_sum_squares(n=" + n + ")", NORM_PARTS, BLOCK, Pointer.to(g), Pointer.to(new long[] {n}),
                Pointer.to(partials));
        launch(clipNormScale, "clip_norm_scale(n=" + n + ")", (int) Math.min(blocks(n), 4L * NORM_PARTS), BLOCK, Pointer.to(g),
                Pointer.to(new long[] {n}), Pointer.to(partials), Pointer.to(new int[] {NORM_PARTS}),
                Pointer.to(new double[] {maxNorm}));
    }

    /** Blocks {@link #lossDelta} launches for a batch, hence partial sums it writes. */
    static int lossBlocks(int loss, int rows, int cols) {
        return blocks(loss == KernelCodes.CROSS_ENTROPY ? rows : (long) rows * cols);
    }

    /** Loss partial sums per block and dz = ∂L/∂z of the output layer. */
    void lossDelta(int loss, int outAct, CUdeviceptr z, CUdeviceptr a, CUdeviceptr y, CUdeviceptr dz, int rows, int cols,
                   CUdeviceptr partial) {
        launch(lossDelta, "loss_delta(loss=" + loss + ", rows=" + rows + ", cols=" + cols + ")",
                lossBlocks(loss, rows, cols), BLOCK, Pointer.to(new int[] {loss}), Pointer.to(new int[] {outAct}),
                Pointer.to(z), Pointer.to(a), Pointer.to(y), Pointer.to(dz), Pointer.to(new int[] {rows}),
                Pointer.to(new int[] {cols}), Pointer.to(partial));
    }

    /** stepLoss[*stepIndex] = scale · Σ partial[0..blocks). */
    void lossFinalize(CUdeviceptr partial, int blocks, float scale, CUdeviceptr stepIndex, CUdeviceptr stepLoss) {
        launch(lossFinalize, "loss_finalize(blocks=" + blocks + ")", 1, BLOCK, Pointer.to(partial),
                Pointer.to(new int[] {blocks}), Pointer.to(new float[] {scale}), Pointer.to(stepIndex), Pointer.to(stepLoss));
    }

    /** One optimiser step over n parameters; see optimizer_update.cu for the kinds and the state. */
    void optimizerUpdate(OptimizerCode o, CUdeviceptr w, CUdeviceptr g, CUdeviceptr m, CUdeviceptr v, long n,
                         CUdeviceptr lr, CUdeviceptr stepCount) {
        launch(optimizerUpdate, "optimizer_update(kind=" + o.kind() + ", n=" + n + ")", blocks(n), BLOCK, 0,
                Pointer.to(o.asStruct()), Pointer.to(w), Pointer.to(g), Pointer.to(m), Pointer.to(v),
                Pointer.to(new long[] {n}), Pointer.to(lr), Pointer.to(stepCount));
    }

    /** *stepIndex += 1; *stepCount += 1. */
    void advanceStep(CUdeviceptr stepIndex, CUdeviceptr stepCount) {
        launch(advanceStep, "advance_step", 1, 1, Pointer.to(stepIndex), Pointer.to(stepCount));
    }

    /** a = softmax(z) per row of [rows, cols]. */
    void softmaxRows(CUdeviceptr z, CUdeviceptr a, int rows, int cols) {
        launch(softmaxRows, "softmax_rows(rows=" + rows + ", cols=" + cols + ")", blocks(rows), BLOCK, Pointer.to(z),
                Pointer.to(a), Pointer.to(new int[] {rows}), Pointer.to(new int[] {cols}));
    }

    /**
     * A whole epoch of a small network in one block (small_net_epoch.cu): rows {@code order[0..rows)},
     * {@code batch} per step, losses into {@code stepLoss[0..steps)}.
     */
    void smallNetEpoch(SmallNetPlan plan, OptimizerCode o, CUdeviceptr features, CUdeviceptr targets, CUdeviceptr order,
                       int rows, CUdeviceptr params, CUdeviceptr m, CUdeviceptr v, CUdeviceptr lr, CUdeviceptr stepCount,
                       CUdeviceptr stepLoss) {
        launch(smallNetEpoch, "small_net_epoch(rows=" + rows + ", batch=" + plan.batch() + ", threads=" + plan.threads()
                        + ", shared=" + plan.sharedBytes() + ")", 1, plan.threads(), plan.sharedBytes(),
                Pointer.to(plan.netStruct()), Pointer.to(o.asStruct()), Pointer.to(features), Pointer.to(targets),
                Pointer.to(order), Pointer.to(new int[] {rows}), Pointer.to(new int[] {plan.batch()}), Pointer.to(params),
                Pointer.to(m), Pointer.to(v), Pointer.to(lr), Pointer.to(stepCount), Pointer.to(stepLoss));
    }

    /**
     * A whole row-by-row epoch of a network with one hidden layer in one warp, in registers
     * (tiny_net_epoch.cu): rows {@code order[0..rows)}, losses into {@code stepLoss[0..rows)}.
     */
    void tinyNetEpoch(TinyNetPlan plan, OptimizerCode o, CUdeviceptr features, CUdeviceptr targets, CUdeviceptr order,
                      int rows, CUdeviceptr params, CUdeviceptr m, CUdeviceptr v, CUdeviceptr lr, CUdeviceptr stepCount,
                      CUdeviceptr stepLoss) {
        CUfunction f = onDemand.computeIfAbsent(plan.kernel(), kernel -> load(plan.resource(), kernel));
        launch(f, plan.kernel() + "(rows=" + rows + ")", 1, 32, Pointer.to(plan.netStruct()), Pointer.to(o.asStruct()),
                Pointer.to(features), Pointer.to(targets), Pointer.to(order), Pointer.to(new int[] {rows}),
                Pointer.to(params), Pointer.to(m), Pointer.to(v), Pointer.to(lr), Pointer.to(stepCount),
                Pointer.to(stepLoss));
    }

    /**
     * The gradient of one step of a narrow MLP in one launch (mlp64_step.cu or mlp64_tf32_step.cu): rows
     * {@code order[*stepIndex·stride ..][0, rows)}, one row of {@code gradPartials} and one loss
     * partial per block.
     */
    void mlp64Step(Mlp64Plan plan, int blocks, CUdeviceptr features, CUdeviceptr targets, CUdeviceptr order,
                   CUdeviceptr stepIndex, int stride, int rows, CUdeviceptr params, CUdeviceptr gradPartials,
                   CUdeviceptr lossPartials) {
        CUfunction f = onDemand.computeIfAbsent(plan.kernel(), kernel -> {
            CUfunction loaded = load(plan.module(), kernel);
            Cuda.check(cuFuncSetAttribute(loaded, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    plan.sharedBytes()), "cuFuncSetAttribute(" + plan.kernel() + ", MAX_DYNAMIC_SHARED_SIZE_BYTES)");
            return loaded;
        });
        launch(f, plan.kernel() + "(rows=" + rows + ", blocks=" + blocks + ", shared=" + plan.sharedBytes() + ")", blocks,
                256, plan.sharedBytes(), Pointer.to(plan.netStruct()), Pointer.to(features), Pointer.to(targets),
                Pointer.to(order), Pointer.to(stepIndex), Pointer.to(new int[] {stride}), Pointer.to(new int[] {rows}),
                Pointer.to(params), Pointer.to(gradPartials), Pointer.to(lossPartials));
    }

    /** out[i] = Σ_r in[r·n + i] over {@code rows} rows, in a fixed order. */
    void columnSums(CUdeviceptr in, int rows, long n, CUdeviceptr out) {
        CUfunction columnSums = onDemand.computeIfAbsent("column_sums", this::load);
        launch(columnSums, "column_sums(rows=" + rows + ", n=" + n + ")", blocks(n), BLOCK, Pointer.to(in),
                Pointer.to(new int[] {rows}), Pointer.to(new long[] {n}), Pointer.to(out));
    }

    private static int blocks(long threads) {
        return (int) Math.max(1, (threads + BLOCK - 1) / BLOCK);
    }

    private void launch(CUfunction f, String what, int grid, int block, Pointer... args) {
        launch(f, what, grid, block, 0, args);
    }

    private void launch(CUfunction f, String what, int grid, int block, int sharedBytes, Pointer... args) {
        Cuda.check(cuLaunchKernel(f, grid, 1, 1, block, 1, 1, sharedBytes, ctx.stream, Pointer.to(args), null),
                "cuLaunchKernel " + what);
    }

    @Override
    public void close() {
        for (CUmodule m : modules.values()) Cuda.check(cuModuleUnload(m), "cuModuleUnload");
    }
}
