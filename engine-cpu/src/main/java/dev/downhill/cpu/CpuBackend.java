package dev.downhill.cpu;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.MatrixProductPeak;
import dev.downhill.backend.StepTrace;
import dev.downhill.backend.StepTracing;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Regularization;
import dev.downhill.backend.Backends;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataChecks;
import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/** Float32 training on the CPU with EJML; holds no native resources. */
public final class CpuBackend implements Backend, StepTracing, MatrixProductPeak {

    private final MatrixProducts.Path productPath;

    public CpuBackend(BackendOptions options) {
        this(options, MatrixProducts.Path.AUTO);
    }

    /** With a chosen product path: tests run the whole contract through each. */
    CpuBackend(BackendOptions options, MatrixProducts.Path productPath) {
        this.productPath = productPath;
        if (options.math() != BackendOptions.MathMode.FP32) {
            throw new InputException("the cpu backend computes in fp32 only; " + options.math().id()
                    + " math needs the cuda backend");
        }
    }

    static String describeDevice() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch")
                + " (float32; " + MatrixProducts.describe() + ")";
    }

    @Override public String name() { return Backends.REFERENCE; }

    @Override public String device() { return describeDevice(); }

    @Override
    public TrainableModel load(Network network, float[] parameters, Optimizer optimizer, DataSet train,
                               Regularization regularization) {
        if (train != null) DataChecks.checkFits(network, train);
        if (parameters.length != network.layout().size()) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + network.layout().size()
                    + " parameters, got " + parameters.length);
        }
        return new CpuModel(network, parameters, optimizer, train, productPath, regularization);
    }

    /**
     * One SGD-or-other optimiser step on one training row with every intermediate value recorded:
     * the numbers the explainer shows are the engine's own.
     */
    @Override
    public StepTrace traceStep(Network network, float[] parameters, Optimizer optimizer, DataSet train, int row) {
        try (CpuModel model = (CpuModel) load(network, parameters, optimizer, train)) {
            return model.traceStep(row, optimizer.learningRate());
        }
    }

    /**
     * A 1024³ product on the path large products take (the Vector API path where it can run, else
     * EJML): the best of the products in a second, after as many again to compile the path.
     */
    @Override
    public double measureMatrixProductFlops() {
        int n = 1024;
        org.ejml.data.FMatrixRMaj a = org.ejml.dense.row.RandomMatrices_FDRM.rectangle(n, n, new java.util.Random(1));
        org.ejml.data.FMatrixRMaj b = a.copy(), c = new org.ejml.data.FMatrixRMaj(n, n);
        MatrixProducts products = new MatrixProducts(productPath);
        long best = Long.MAX_VALUE;
        for (int pass = 0; pass < 2; pass++) {
            long end = System.nanoTime() + 1_000_000_000L;
            for (int i = 0; i < 3 || System.nanoTime() < end; i++) {
                long start = System.nanoTime();
                products.inputGradient(a, b, c, VectorProducts.Epilogue.NONE);          // c = a·b
                if (pass == 1) best = Math.min(best, System.nanoTime() - start);
            }
        }
        return 2.0 * n * n * n / (best / 1e9);
    }

    @Override public void close() {}
}
