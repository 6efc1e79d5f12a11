// Gathers the rows of one training step from the data set kept on the device.
//   dst[r, c] = src[order[step * stride + r], c]    for r < rows, c < width
// step is read from the device (*step_index) so that a captured CUDA graph replays every
// step of an epoch unchanged. stride is the full batch size (the last batch may be short).
// Launch: 1-D, one thread per element of dst, any block size.
extern "C" __global__ void gather_rows(const float* __restrict__ src, int width,
                                       const int* __restrict__ order, const int* __restrict__ step_index,
                                       int stride, int rows, float* __restrict__ dst) {
    long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long) rows * width) return;
    int r = (int) (i / width), c = (int) (i % width);
    int row = order[(long) (*step_index) * stride + r];
    dst[i] = src[(long) row * width + c];
}
