package dev.downhill.cuda;

/** A CUDA driver or cuBLAS call failed; the message names the call and its status. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
