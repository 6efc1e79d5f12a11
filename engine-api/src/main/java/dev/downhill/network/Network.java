package dev.downhill.network;

import dev.downhill.InputException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A multi-layer perceptron: an input width, dense layers each with an activation, the loss
 * it is trained on, how its parameters start and the seed of every random choice.
 * Immutable and validated: a {@code Network} that exists can be trained.
 * Build one with {@link #builder(int)}:
 * <pre>{@code
 * Network net = Network.builder(2)
 *         .dense(2, Activation.SIGMOID)
 *         .dense(1, Activation.IDENTITY)
 *         .loss(Loss.MSE)
 *         .seed(42)
 *         .build();
 * }</pre>
 */
public record Network(int inputWidth, List<DenseLayer> layers, Loss loss, Initializer initializer, long seed)
        implements java.io.Serializable {

    public Network {
        layers = List.copyOf(layers);
        validate(inputWidth, layers, loss);
    }

    public static Builder builder(int inputWidth) {
        return new Builder(inputWidth);
    }

    /** Width of layer {@code i}'s input. */
    public int inputWidthOf(int layer) {
        return layer == 0 ? inputWidth : layers.get(layer - 1).units();
    }

    public int outputWidth() {
        return layers.getLast().units();
    }

    public DenseLayer outputLayer() {
        return layers.getLast();
    }

    /** The widest activation any layer produces or consumes. */
    public int maxWidth() {
        int max = inputWidth;
        for (DenseLayer l : layers) max = Math.max(max, l.units());
        return max;
    }

    public ParameterLayout layout() {
        return ParameterLayout.of(this);
    }

    /** Fresh parameters drawn from {@link #initializer()} with {@link #seed()}, in {@link #layout()} order. */
    public float[] initialParameters() {
        ParameterLayout layout = layout();
        float[] params = new float[dev.downhill.MemoryBudget.floats(layout.size(), "network " + widths() + "'s parameters")];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < layers.size(); i++) {
            float[] w = new float[layout.weight(i).length()];
            float[] b = new float[layout.bias(i).length()];
            initializer.fill(w, b, inputWidthOf(i), layers.get(i).units(), random);
            System.arraycopy(w, 0, params, layout.weight(i).offset(), w.length);
            System.arraycopy(b, 0, params, layout.bias(i).offset(), b.length);
        }
        return params;
    }

    /** Floating-point operations to train on one row: 6·Σ in·out (2 forward, 4 backward). */
    public long flopsPerSample() {
        long f = 0;
        for (int i = 0; i < layers.size(); i++) f += 6L * inputWidthOf(i) * layers.get(i).units();
        return f;
    }

    /** The widths joined by dashes, e.g. {@code 2-2-1}. */
    public String widths() {
        StringBuilder s = new StringBuilder().append(inputWidth);
        for (DenseLayer l : layers) s.append('-').append(l.units());
        return s.toString();
    }

    /** The layers as {@code units:activation} joined by commas, the form {@link #parseLayers} reads. */
    public String layersSpec() {
        return String.join(",", layers.stream().map(DenseLayer::toString).toList());
    }

    /** Reads {@code "2:sigmoid,1:identity"}. */
    public static List<DenseLayer> parseLayers(String spec) {
        List<DenseLayer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] unitsAndActivation = part.trim().split(":");
            if (unitsAndActivation.length != 2) {
                throw new InputException("layer '" + part + "' is not of the form units:activation");
            }
            out.add(new DenseLayer(parseUnits(unitsAndActivation[0], part), Activation.parse(unitsAndActivation[1].trim())));
        }
        return out;
    }

    private static int parseUnits(String text, String part) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InputException("layer '" + part + "': width '" + text + "' is not an integer");
        }
    }

    @Override
    public String toString() {
        return widths() + " [" + layersSpec() + "] loss " + loss.id();
    }

    /**
     * The layers as Keras's {@code model.summary()} lists them: each dense layer by the
     * {@code nn.Sequential} index its parameters are named by, with its shape, its activation and
     * its parameter count, then the total. One line per layer, each ending in a newline.
     */
    public String summary() {
        List<ParameterLayout.Tensor> tensors = layout().tensors();
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT, "%-6s %-7s %-13s %-10s %12s%n",
                "layer", "type", "in -> out", "activation", "parameters"));
        for (int i = 0; i < layers.size(); i++) {
            ParameterLayout.Tensor weight = tensors.get(2 * i), bias = tensors.get(2 * i + 1);
            String module = weight.name().substring(0, weight.name().indexOf('.'));
            s.append(String.format(java.util.Locale.ROOT, "%-6s %-7s %-13s %-10s %,12d%n", module, "Linear",
                    inputWidthOf(i) + " -> " + layers.get(i).units(), layers.get(i).activation().id(),
                    (long) weight.length() + bias.length()));
        }
        return s.append(String.format(java.util.Locale.ROOT, "%-6s %-7s %-13s %-10s %,12d%n", "total", "", "", "",
                (long) layout().size())).toString();
    }

    private static void validate(int inputWidth, List<DenseLayer> layers, Loss loss) {
        if (inputWidth < 1) throw new InputException("input width must be at least 1, got " + inputWidth);
        if (layers.isEmpty()) throw new InputException("a network needs at least one dense layer");
        if (loss == null) throw new InputException("no loss given");
        int last = layers.size() - 1;
        for (int i = 0; i <= last; i++) {
            DenseLayer l = layers.get(i);
            if (l.units() < 1) throw new InputException("layer " + i + ": width must be at least 1, got " + l.units());
            if (!l.activation().isElementwise() && i != last) {
                throw new InputException("layer " + i + ": " + l.activation().id() + " is only allowed on the output layer");
            }
        }
        long parameters = 0;
        for (int i = 0; i <= last; i++) {
            long in = i == 0 ? inputWidth : layers.get(i - 1).units();
            parameters += (in + 1) * layers.get(i).units();
            if (parameters > dev.downhill.MemoryBudget.MAX_ARRAY) {
                throw new InputException("layer " + i + ": the network reaches " + parameters + " parameters there, more than "
                        + "the " + dev.downhill.MemoryBudget.MAX_ARRAY + " one parameter buffer holds");
            }
        }
        Activation out = layers.get(last).activation();
        if (!loss.outputActivations().contains(out)) {
            throw new InputException("layer " + last + ": " + (out == Activation.SOFTMAX
                    ? "softmax is only allowed with cross-entropy loss"
                    : loss.id() + " needs a " + loss.outputActivations().getFirst().id() + " output, got " + out.id()));
        }
        if (loss == Loss.CROSS_ENTROPY && layers.get(last).units() < 2) {
            throw new InputException("layer " + last + ": cross-entropy needs at least 2 classes, got " + layers.get(last).units());
        }
    }

    /** A fluent builder; {@link #build()} validates and names the offending layer. */
    public static final class Builder {
        private final int inputWidth;
        private final List<DenseLayer> layers = new ArrayList<>();
        private Loss loss = Loss.MSE;
        private Initializer initializer = Initializer.PYTORCH;
        private long seed = 0;

        private Builder(int inputWidth) {
            this.inputWidth = inputWidth;
        }

        public Builder dense(int units, Activation activation) {
            layers.add(new DenseLayer(units, activation));
            return this;
        }

        public Builder layers(List<DenseLayer> more) {
            layers.addAll(more);
            return this;
        }

        public Builder loss(Loss loss) {
            this.loss = loss;
            return this;
        }

        public Builder initializer(Initializer initializer) {
            this.initializer = java.util.Objects.requireNonNull(initializer);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Network build() {
            return new Network(inputWidth, layers, loss, initializer, seed);
        }
    }
}
