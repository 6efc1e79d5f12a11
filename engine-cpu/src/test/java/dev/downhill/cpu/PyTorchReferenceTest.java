package dev.downhill.cpu;

import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.TrainableModel;
import dev.downhill.data.DataSet;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;
import dev.downhill.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU reference against numbers PyTorch 2.11 computed for the seed network
 * (tools/pytorch/seed_net_reference.py, run on the GPU machine, float32): the same initial
 * parameters, rows and optimiser settings, compared tensor by tensor.
 */
class PyTorchReferenceTest {
    private static final float[] INITIAL = {0x1.5dd2c4p-2f, -0x1.ec809ap-2f, -0x1.409eacp-2f, -0x1.c3459ap-3f,
            -0x1.4e807cp-1f, 0x1.0aa028p-1f, -0x1.97caf8p-2f, 0x1.b35c88p-2f, -0x1.cf9bf6p-3f};
    private static final float[][] ROWS = {{8.1f, 7.4f, 6.2f}, {6.5f, 5.0f, 3.1f}};
    private final CpuBackend cpu = new CpuBackend(BackendOptions.defaults());

    @Test
    void theSeedNetworkIsPyTorchsNetwork() {
        assertArrayEquals(INITIAL, seedNet(Activation.IDENTITY, Loss.MSE).initialParameters(),
                "the script starts from Downhill's initial parameters for seed 42");
    }

    @Test
    void lossesAndGradientsOfEachLoss() {
        checkGradient(seedNet(Activation.IDENTITY, Loss.MSE), INITIAL, new float[] {6.2f}, 42.1397629f,
                "6.4642086 5.90557289 -1.10817814 -1.01240957 0.798050404 -0.136812106 -2.47626925 -0.33018893 -12.9830294");
        checkGradient(seedNet(Activation.SIGMOID, Loss.BCE), INITIAL, new float[] {1f}, 0.849489748f,
                "0.284979641 0.260351747 -0.0488548912 -0.0446328595 0.0351826698 -0.00603146758 -0.109168254 "
                        + "-0.0145566361 -0.572366953");
        Network ce = Network.builder(2).dense(2, Activation.SIGMOID).dense(3, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).build();
        float[] ceParams = Arrays.copyOf(INITIAL, 15);
        for (int i = 0; i < 9; i++) ceParams[6 + i] = (float) (0.1 * (i + 1) * (i % 2 == 0 ? 1 : -1));
        checkGradient(ce, ceParams, new float[] {0, 0, 1}, 0.66427964f,
                "-0.219983399 -0.200972483 0.0353243165 0.0322715975 -0.0271584429 0.00436102645 0.0752236769 "
                        + "0.0100304224 0.0173488446 0.0023133175 -0.0925725177 -0.0123437392 0.394396245 0.0909596458 "
                        + "-0.485355854");
    }

    @Test
    void everyOptimiserStepsAsPyTorch() {
        checkSteps(Optimizer.Sgd.plain(0.01f), 1,
                "0.276982248 -0.540015042 -0.3020235 -0.210223496 -0.661304533 0.522121251 -0.373472512 0.428459555 -0.0965413973");
        checkSteps(new Optimizer.Sgd(0.01f, 0.9f, false, 0), 4,
                "0.0383302197 -0.748742044 -0.189881131 -0.115408622 -0.692725778 0.537573576 -0.27471149 0.466746986 0.680715442");
        checkSteps(new Optimizer.Sgd(0.01f, 0.9f, true, 0.01f), 4,
                "0.01982175 -0.767228723 -0.115792654 -0.053337127 -0.693631589 0.547206283 -0.269533604 0.492849529 0.929777086");
        checkSteps(Optimizer.Adam.defaults(0.01f), 2,
                "0.322220057 -0.500109792 -0.293103099 -0.20034112 -0.673015416 0.540650666 -0.37840122 0.445033044 -0.206986725");
        checkSteps(new Optimizer.Adam(0.01f, 0.8f, 0.99f, 1e-8f, 0.1f), 3,
                "0.312854201 -0.509257734 -0.282908648 -0.190208256 -0.682438016 0.550655067 -0.36874193 0.455126375 -0.197459817");
        checkSteps(Optimizer.AdamW.defaults(0.01f), 3,
                "0.312520981 -0.509418964 -0.282991469 -0.190286249 -0.682567835 0.55045265 -0.36847043 0.454836696 -0.197255477");
        checkSteps(Optimizer.RmsProp.defaults(0.01f), 3,
                "0.210424274 -0.609400928 -0.0207530186 0.0710373521 -0.788711727 0.813283205 -0.255640805 0.718400002 -0.017940715");
        checkSteps(new Optimizer.RmsProp(0.01f, 0.9f, 1e-8f, 0.5f, 0.01f), 3,
                "0.25499025 -0.565133572 -0.188884139 -0.0975432768 -0.742972612 0.646200716 -0.305861056 0.549663663 -0.126603335");
    }

    private void checkGradient(Network net, float[] params, float[] target, float loss, String gradient) {
        DataSet row = DataSet.of(new float[] {ROWS[0][0], ROWS[0][1]}, 2, target, target.length);
        try (TrainableModel m = cpu.load(net, params, Optimizer.Sgd.plain(0.01f), row)) {
            BatchGradients g = m.gradients(new int[] {0});
            assertEquals(loss, g.loss(), 1e-6 * loss, net.loss() + " loss");
            Tensors.assertClose(net.loss() + " gradient", parse(gradient), g.gradients(), 1e-6, 1e-5);
        }
    }

    private void checkSteps(Optimizer optimizer, int steps, String expected) {
        DataSet rows = DataSet.of(new float[] {ROWS[0][0], ROWS[0][1], ROWS[1][0], ROWS[1][1]}, 2,
                new float[] {ROWS[0][2], ROWS[1][2]}, 1);
        try (TrainableModel m = cpu.load(seedNet(Activation.IDENTITY, Loss.MSE), INITIAL, optimizer, rows)) {
            for (int s = 0; s < steps; s++) m.trainSteps(new int[] {s % 2}, 1, optimizer.learningRate());
            Tensors.assertClose(optimizer + " after " + steps + " steps", parse(expected), m.parameters(), 1e-6, 1e-5);
        }
    }

    private static Network seedNet(Activation output, Loss loss) {
        return Network.builder(2).dense(2, Activation.SIGMOID).dense(1, output).loss(loss).seed(42).build();
    }

    private static double[] parse(String values) {
        return Arrays.stream(values.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }
}
