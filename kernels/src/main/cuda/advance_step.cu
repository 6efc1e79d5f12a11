// Ends a training step: the next step reads the next rows and Adam's next bias correction.
//   *step_index += 1 (position in the epoch); *step_count += 1 (optimiser steps ever taken)
// Launch: one thread.
extern "C" __global__ void advance_step(int* step_index, int* step_count) {
    *step_index += 1;
    *step_count += 1;
}
