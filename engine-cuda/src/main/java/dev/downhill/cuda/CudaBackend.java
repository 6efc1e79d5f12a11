package dev.downhill.cuda;

import dev.downhill.backend.Backend;
import dev.downhill.backend.MatrixProductPeak;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.DeviceCollectives;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataChecks;
import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/** Training on one device (BackendOptions.device, 0 by default): one context, one stream, the kernels, and cuBLAS. */
final class CudaBackend implements Backend, MatrixProductPeak, DeviceCollectives {
    /** cuBLAS's workspace: 32 MiB, cuBLAS's own recommendation for Hopper. */
    private static final long WORKSPACE_FLOATS = (32L << 20) / 4;

    final CudaContext ctx;
    final Kernels kernels;
    final Cublas cublas;
    final BackendOptions options;
    /** TF32 math on a device whose tensor cores take TF32 (compute capability 8.0 and newer): the fused kernels use them too. */
    final boolean tf32TensorCores;
    private final DeviceBuffer workspace;

    CudaBackend(BackendOptions options) {
        this.options = options;
        ctx = new CudaContext(options.device());
        try {
            kernels = new Kernels(ctx);
            workspace = DeviceBuffer.allocate(ctx, WORKSPACE_FLOATS, "the cuBLAS workspace");
            boolean tf32 = options.math() == BackendOptions.MathMode.TF32;
            cublas = new Cublas(ctx, workspace, tf32);
            tf32TensorCores = tf32 && ctx.computeCapability >= 80;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** NCCL, loaded on first use; null until then, or where it cannot be found. */
    private Nccl nccl;
    private boolean ncclLooked;

    @Override public String name() { return "cuda"; }

    /** {@link DeviceCollectives} only where NCCL can be found: DOWNHILL_NCCL (a path), else the dynamic linker's libnccl.so.2. */
    @Override
    public <T> java.util.Optional<T> capability(Class<T> kind) {
        if (kind == DeviceCollectives.class && nccl() == null) return java.util.Optional.empty();
        return Backend.super.capability(kind);
    }

    private synchronized Nccl nccl() {
        if (!ncclLooked) {
            ncclLooked = true;
            String library = System.getenv().getOrDefault("DOWNHILL_NCCL", Nccl.LIBRARY);
            try {
                nccl = Nccl.load(library);
            } catch (CudaException notFound) {
                nccl = null;
            }
        }
        return nccl;
    }

    @Override
    public byte[] newCollective() {
        ctx.makeCurrent();
        return requireNccl().uniqueId();
    }

    @Override
    public dev.downhill.parallel.Collective join(byte[] id, int ranks, int rank) {
        ctx.makeCurrent();
        return new NcclCollective(requireNccl().join(id, ranks, rank), rank, ranks);
    }

    private Nccl requireNccl() {
        Nccl n = nccl();
        if (n == null) throw new CudaException("NCCL not found: set DOWNHILL_NCCL to a libnccl.so.2");
        return n;
    }

    @Override public String device() {
        return ctx.deviceName + " (" + options.math().id() + ")";
    }

    @Override
    public TrainableModel load(Network network, float[] parameters, Optimizer optimizer, DataSet train,
                               Regularization regularization) {
        if (train != null) DataChecks.checkFits(network, train);
        if (parameters.length != network.layout().size()) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + network.layout().size()
                    + " parameters, got " + parameters.length);
        }
        ctx.makeCurrent();
        return new CudaModel(this, network, parameters, optimizer, train, regularization);
    }

    /** cuBLAS SGEMM at 4096³ in this backend's math mode: best of three runs of 20 products. */
    @Override
    public double measureMatrixProductFlops() {
        ctx.makeCurrent();
        int n = 4096;
        try (DeviceBuffer a = DeviceBuffer.allocate(ctx, (long) n * n, "a GEMM operand");
             DeviceBuffer b = DeviceBuffer.allocate(ctx, (long) n * n, "a GEMM operand");
             DeviceBuffer c = DeviceBuffer.allocate(ctx, (long) n * n, "a GEMM result")) {
            a.fill(Float.floatToRawIntBits(0.5f));
            b.fill(Float.floatToRawIntBits(0.25f));
            cublas.sgemm(Cublas.OP_N, Cublas.OP_N, n, n, n, a.address, n, b.address, n, c.address, n);
            ctx.synchronize();
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                long start = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    cublas.sgemm(Cublas.OP_N, Cublas.OP_N, n, n, n, a.address, n, b.address, n, c.address, n);
                }
                ctx.synchronize();
                best = Math.min(best, System.nanoTime() - start);
            }
            return 20 * 2.0 * n * n * n / (best / 1e9);
        }
    }

    @Override
    public void close() {
        ctx.makeCurrent();
        cublas.close();
        workspace.close();
        kernels.close();
        ctx.close();
    }
}
