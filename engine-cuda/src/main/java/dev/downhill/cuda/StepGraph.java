package dev.downhill.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

import static jcuda.driver.JCudaDriver.*;

/** One training step captured once as a CUDA graph and replayed: a step costs one launch from Java. */
final class StepGraph implements AutoCloseable {
    private final CudaContext ctx;
    private final CUgraph graph = new CUgraph();
    private final CUgraphExec exec = new CUgraphExec();

    StepGraph(CudaContext ctx, Runnable enqueueStep) {
        this.ctx = ctx;
        Cuda.check(cuStreamBeginCapture(ctx.stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
        try {
            enqueueStep.run();
        } catch (RuntimeException e) {
            cuStreamEndCapture(ctx.stream, graph); // leave the stream usable; the first error is the one to report
            throw e;
        }
        Cuda.check(cuStreamEndCapture(ctx.stream, graph), "cuStreamEndCapture");
        Cuda.check(cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
    }

    void launch() {
        Cuda.check(cuGraphLaunch(exec, ctx.stream), "cuGraphLaunch");
    }

    @Override
    public void close() {
        Cuda.check(cuGraphExecDestroy(exec), "cuGraphExecDestroy");
        Cuda.check(cuGraphDestroy(graph), "cuGraphDestroy");
    }
}
