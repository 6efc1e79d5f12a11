package dev.downhill.onnx;

import dev.downhill.network.Activation;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A network as an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}): input
 * {@code input} {@code [N, inputs]}, one {@code Gemm} per dense layer ({@code transB = 1}: the
 * weights stay {@code [out, in]} as PyTorch and Downhill keep them) and its activation, output
 * {@code output} {@code [N, outputs]}, with softmax or sigmoid applied as {@code predict} applies
 * them. Written with the wire format of onnx.proto's messages directly (field numbers below are
 * onnx.proto's); see docs/DECISIONS.md for why not generated classes.
 */
public final class OnnxModel {
    static final int IR_VERSION = 8, OPSET = 17;
    private static final int FLOAT = 1;                            // TensorProto.DataType.FLOAT
    private static final int ATTRIBUTE_FLOAT = 1, ATTRIBUTE_INT = 2;

    private OnnxModel() {}

    /** The model's bytes for {@code parameters} of {@code network} (already taking raw features, if it must). */
    public static byte[] bytes(Network network, float[] parameters) {
        ProtoWriter graph = new ProtoWriter();
        String x = "input";
        ParameterLayout layout = network.layout();
        for (int l = 0; l < network.layers().size(); l++) {
            DenseLayer layer = network.layers().get(l);
            boolean last = l == network.layers().size() - 1;
            String z = layer.activation() == Activation.IDENTITY && last ? "output" : "z" + l;
            ParameterLayout.Tensor weight = layout.weight(l), bias = layout.bias(l);
            graph.message(1, node("Gemm", "gemm" + l, new String[] {x, weight.name(), bias.name()}, z)
                    .message(5, attribute("transB", 1)));
            graph.message(5, tensor(weight, parameters));
            graph.message(5, tensor(bias, parameters));
            x = z;
            if (layer.activation() != Activation.IDENTITY) {
                String a = last ? "output" : "a" + l;
                ProtoWriter node = switch (layer.activation()) {
                    case SIGMOID -> node("Sigmoid", "act" + l, new String[] {x}, a);
                    case TANH -> node("Tanh", "act" + l, new String[] {x}, a);
                    case RELU -> node("Relu", "act" + l, new String[] {x}, a);
                    case LEAKY_RELU -> node("LeakyRelu", "act" + l, new String[] {x}, a)
                            .message(5, new ProtoWriter().string(1, "alpha").float32(2, Activation.LEAKY_SLOPE).varint(20, ATTRIBUTE_FLOAT));
                    case SOFTMAX -> node("Softmax", "act" + l, new String[] {x}, a).message(5, attribute("axis", 1));
                    case IDENTITY -> throw new IllegalStateException("no node for the identity");
                };
                graph.message(1, node);
                x = a;
            }
        }
        graph.string(2, "downhill " + network.widths());
        graph.message(11, valueInfo("input", network.inputWidth()));
        graph.message(12, valueInfo("output", network.outputWidth()));
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "downhill")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET))
                .toBytes();
    }

    /** Writes {@link #bytes} to {@code file} whole or not at all. */
    public static void write(Path file, Network network, float[] parameters) {
        dev.downhill.io.AtomicFile.write(file, "the ONNX model", out -> out.write(bytes(network, parameters)));
    }

    private static ProtoWriter node(String op, String name, String[] inputs, String output) {
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) n.string(1, in);
        return n.string(2, output).string(3, name).string(4, op);
    }

    private static ProtoWriter attribute(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    private static ProtoWriter tensor(ParameterLayout.Tensor t, float[] parameters) {
        ProtoWriter p = new ProtoWriter();
        for (int d : t.shape()) p.varint(1, d);
        float[] values = ParameterLayout.slice(parameters, t);
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) raw.putFloat(v);
        return p.varint(2, FLOAT).string(8, t.name()).bytes(9, raw.array());
    }

    /** A float tensor {@code [N, width]} with N left open ("N"), so any number of rows runs. */
    private static ProtoWriter valueInfo(String name, int width) {
        ProtoWriter shape = new ProtoWriter()
                .message(1, new ProtoWriter().string(2, "N"))
                .message(1, new ProtoWriter().varint(1, width));
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
