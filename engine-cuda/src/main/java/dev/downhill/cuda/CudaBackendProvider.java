package dev.downhill.cuda;

import dev.downhill.backend.Availability;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BackendProvider;
import dev.downhill.backend.DeviceKind;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

import static jcuda.driver.JCudaDriver.*;

/**
 * The CUDA backend. Finding it costs nothing; {@link #availability()} probes the driver
 * (libcuda.so.1, a device, a driver new enough for the PTX, cuBLAS) and says what is missing.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** PTX ISA 9.0 needs a driver that supports CUDA 13.0. */
    static final int MIN_DRIVER = 13000;
    /** The PTX targets compute capability 7.5. */
    static final int MIN_COMPUTE = 75;

    private static volatile Availability probed;

    @Override public String name() { return "cuda"; }

    @Override public DeviceKind deviceKind() { return DeviceKind.GPU; }

    @Override public int priority() { return 100; }

    /**
     * Below about 2·10⁵ FLOP a step, the CPU backend trains faster: measured on the H100 machine
     * (docs/measurements/2026-11-22-h100-sweep-width-batch1.txt) the GPU lost at 98k FLOP a step and
     * won 2.3× at 393k; this is the geometric middle. The seed example (54 FLOP a step) trains on the CPU.
     */
    static final double CROSSOVER_STEP_FLOPS = 2e5;

    @Override public double minimumStepFlops() { return CROSSOVER_STEP_FLOPS; }

    @Override
    public Availability availability() {
        Availability a = probed;
        if (a == null) probed = a = probe();
        return a;
    }

    private static Availability probe() {
        try (Arena arena = Arena.ofConfined()) {
            try {
                SymbolLookup.libraryLookup("libcuda.so.1", arena);
            } catch (IllegalArgumentException e) {
                return Availability.unavailable("libcuda.so.1 not found: no NVIDIA driver on this machine");
            }
            JCudaDriver.setExceptionsEnabled(false);
            int status = cuInit(0);
            if (status != CUresult.CUDA_SUCCESS) {
                return Availability.unavailable("cuInit failed: " + CUresult.stringFor(status)
                        + (status == CUresult.CUDA_ERROR_NO_DEVICE ? " (no CUDA device)" : ""));
            }
            int[] count = new int[1];
            Cuda.check(cuDeviceGetCount(count), "cuDeviceGetCount");
            if (count[0] == 0) return Availability.unavailable("no CUDA device");
            int[] driver = new int[1];
            Cuda.check(cuDriverGetVersion(driver), "cuDriverGetVersion");
            if (driver[0] < MIN_DRIVER) {
                return Availability.unavailable("the driver supports CUDA " + version(driver[0])
                        + "; Downhill's kernels need CUDA 13.0 (driver r580 or newer)");
            }
            CUdevice device = new CUdevice();
            Cuda.check(cuDeviceGet(device, 0), "cuDeviceGet(0)");
            int compute = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                    + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            if (compute < MIN_COMPUTE) {
                return Availability.unavailable("device 0 has compute capability " + compute / 10 + "." + compute % 10
                        + "; Downhill needs 7.5 or newer");
            }
            String cublas;
            try {
                cublas = Cublas.findLibrary(arena);
            } catch (CudaException e) {
                return Availability.unavailable(e.getMessage());
            }
            byte[] name = new byte[256];
            Cuda.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
            long[] memory = new long[1];
            Cuda.check(cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
            return Availability.available(new String(name).trim().replace("\0", "") + ", compute " + compute / 10 + "."
                    + compute % 10 + ", " + (memory[0] >> 30) + " GiB, driver CUDA " + version(driver[0]) + ", " + cublas);
        } catch (Throwable t) {
            return Availability.unavailable("CUDA could not start: " + t);
        }
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        Cuda.check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return value[0];
    }

    private static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CudaBackend(options);
    }
}
