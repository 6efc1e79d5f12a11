package dev.downhill.network;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NetworkTest {
    @Test
    void layoutNamesFollowPyTorchSequential() {
        Network net = Network.builder(3).dense(4, Activation.RELU).dense(5, Activation.IDENTITY)
                .dense(2, Activation.SIGMOID).loss(Loss.BCE).build();
        // Linear(0) ReLU(1) Linear(2) Linear(3) Sigmoid(4)
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"),
                net.layout().tensors().stream().map(ParameterLayout.Tensor::name).toList());
        assertArrayEquals(new int[] {5, 4}, net.layout().weight(1).shape());
        assertEquals(16, net.layout().weight(1).offset());
        assertEquals(4 * 3 + 4 + 5 * 4 + 5 + 2 * 5 + 2, net.layout().size());
    }

    @Test
    void initialParametersAreSeededAndBoundedAsNnLinear() {
        Network net = Network.builder(16).dense(8, Activation.TANH).dense(1, Activation.IDENTITY).seed(5).build();
        float[] p = net.initialParameters();
        assertArrayEquals(p, net.initialParameters());
        assertFalse(java.util.Arrays.equals(p, Network.builder(16).dense(8, Activation.TANH)
                .dense(1, Activation.IDENTITY).seed(6).build().initialParameters()));
        float bound = (float) (1 / Math.sqrt(16));
        for (int i = 0; i < 16 * 8 + 8; i++) assertTrue(Math.abs(p[i]) <= bound, "first layer within ±1/√in");
        float max = 0;
        for (int i = 0; i < 16 * 8; i++) max = Math.max(max, Math.abs(p[i]));
        assertTrue(max > 0.8f * bound, "the whole range is used");
        float[] xavier = Network.builder(16).dense(8, Activation.TANH).dense(1, Activation.IDENTITY)
                .initializer(Initializer.XAVIER).build().initialParameters();
        assertEquals(0f, xavier[16 * 8], "Xavier biases start at zero");
    }

    @Test
    void validationNamesTheOffendingLayer() {
        assertMessage("layer 0: softmax is only allowed on the output layer",
                () -> Network.builder(2).dense(3, Activation.SOFTMAX).dense(2, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).build());
        assertMessage("layer 1: bce needs a sigmoid output, got identity",
                () -> Network.builder(2).dense(3, Activation.RELU).dense(1, Activation.IDENTITY).loss(Loss.BCE).build());
        assertMessage("layer 1: cross-entropy needs a softmax output, got sigmoid",
                () -> Network.builder(2).dense(3, Activation.RELU).dense(2, Activation.SIGMOID).loss(Loss.CROSS_ENTROPY).build());
        assertMessage("layer 0: softmax is only allowed with cross-entropy loss",
                () -> Network.builder(2).dense(3, Activation.SOFTMAX).loss(Loss.MSE).build());
        assertMessage("layer 1: width must be at least 1, got 0",
                () -> Network.builder(2).dense(3, Activation.RELU).dense(0, Activation.IDENTITY).build());
        assertMessage("input width must be at least 1, got 0", () -> Network.builder(0).dense(1, Activation.IDENTITY).build());
        assertMessage("a network needs at least one dense layer", () -> Network.builder(2).build());
    }

    @Test
    void layersSpecRoundTrips() {
        Network net = Network.builder(2).dense(7, Activation.LEAKY_RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).build();
        assertEquals("7:leaky-relu,3:softmax", net.layersSpec());
        assertEquals(net.layers(), Network.parseLayers(net.layersSpec()));
        assertMessage("layer 'x:relu': width 'x' is not an integer", () -> Network.parseLayers("x:relu"));
        // the list is every activation there is, read from the enum
        assertMessage("unknown activation 'swoosh' (expected one of "
                + String.join(", ", java.util.Arrays.stream(Activation.values()).map(Activation::id).toList()) + ")",
                () -> Network.parseLayers("3:swoosh"));
        assertTrue(Activation.parse("leaky-relu") == Activation.LEAKY_RELU && Activation.values().length >= 6);
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        assertEquals(expected, assertThrows(InputException.class, e).getMessage());
    }

    /** Keras's model.summary(): a line per dense layer, named as its parameters are (no module for an identity), then the total. */
    @Test
    void theSummaryListsEachLayersShapeAndParametersAndTheTotal() {
        Network net = Network.builder(3).dense(4, Activation.IDENTITY).dense(2, Activation.RELU).dense(1, Activation.IDENTITY)
                .loss(Loss.MSE).build();
        java.util.List<String> lines = net.summary().lines().toList();
        assertEquals(5, lines.size(), net.summary());
        assertTrue(lines.get(1).matches("0 +Linear +3 -> 4 +identity +16"), lines.get(1));
        assertTrue(lines.get(2).matches("1 +Linear +4 -> 2 +relu +10"), lines.get(2));
        assertTrue(lines.get(3).matches("3 +Linear +2 -> 1 +identity +3"), lines.get(3));
        assertTrue(lines.get(4).matches("total +29"), lines.get(4));
        assertEquals(29, net.layout().size());
    }

    @Test
    void aLayoutsShapesCannotBeChangedFromOutside() {
        Network net = Network.builder(3).dense(2, Activation.RELU).dense(1, Activation.IDENTITY).loss(Loss.MSE).build();
        ParameterLayout.Tensor weight = net.layout().weight(0);
        weight.shape()[0] = 99;
        assertArrayEquals(new int[] {2, 3}, weight.shape());
        assertEquals(6, weight.length());
    }
}
