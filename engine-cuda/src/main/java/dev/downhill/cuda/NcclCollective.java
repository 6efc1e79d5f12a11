package dev.downhill.cuda;

import dev.downhill.parallel.Collective;

/** A rank of an NCCL communicator as a {@link Collective}: it sums device buffers, on the model's stream. */
final class NcclCollective implements Collective {
    private final Nccl.Communicator comm;
    private final int rank, worldSize;

    NcclCollective(Nccl.Communicator comm, int rank, int worldSize) {
        this.comm = comm;
        this.rank = rank;
        this.worldSize = worldSize;
    }

    @Override public int rank() { return rank; }

    @Override public int worldSize() { return worldSize; }

    @Override public boolean sumsDeviceBuffers() { return true; }

    @Override
    public void allReduceSumOnDevice(long address, long count, long stream) {
        comm.checkAsyncError();                // a peer lost during the last all-reduce, which returned before it ran
        comm.allReduceSum(address, address, count, stream);
    }

    @Override
    public void allReduceSum(float[] buffer) {
        throw new UnsupportedOperationException("NCCL sums device buffers; host buffers go through the TCP ring");
    }

    @Override
    public void abort() {
        comm.abort();
    }

    @Override
    public void close() {
        comm.close();
    }
}
