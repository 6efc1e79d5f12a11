package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.Backend;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.Backends;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.StepTrace;
import dev.downhill.backend.StepTracing;
import dev.downhill.backend.TrainableModel;
import dev.downhill.network.DenseLayer;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;
import dev.downhill.train.EpochReport;
import dev.downhill.train.Trainer;
import dev.downhill.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code downhill explain}: one training step of one row drawn as a page (forward pass, loss,
 * chain rule, update, value by value), or with {@code --param} the loss as a function of one
 * parameter. Every number comes from the CPU reference backend.
 */
@Command(name = "explain", header = "Writes a page that walks through one training step of one row, with the engine's numbers.", sortOptions = false,
        description = {"Writes a self-contained HTML page that walks through one training step of one row:",
                "the network, the forward pass, the loss, the chain rule and the update, with the engine's numbers.",
                "With --param, the loss against one parameter, its slope, the step and the path it took.",
                "Takes every option of 'downhill train' (the seed example by default)."})
final class ExplainCommand implements Callable<Integer> {
    /** Networks larger than this cannot be drawn legibly. */
    static final int MAX_PARAMETERS = 64;

    @Mixin
    TrainCommand train = new TrainCommand();

    @Option(names = "--row", defaultValue = "0", paramLabel = "N", description = "the training row of the step (default: 0)")
    int row;

    @Option(names = "--param", paramLabel = "NAME", description = "a parameter, e.g. 2.bias or 0.weight[1,0]: draw the loss against it")
    String param;

    @Option(names = "--run", paramLabel = "NAME", description = "for the seed example: placement-package (default) or placement-placed")
    String run;

    @Option(names = "--page", paramLabel = "FILE", description = "where the page goes (default: out/explain/RUN-step.html or -PARAM.html)")
    Path page;

    @Override
    public Integer call() {
        RunSettings settings = train.run(run);
        if (settings.training().clipNorm() > 0) {
            throw new InputException("--clip-norm: explain shows one step of one row as the chain rule gives it, unclipped; drop --clip-norm");
        }
        if (settings.training().dropout() > 0) {
            throw new InputException("--dropout: explain shows one step of one row as the chain rule gives it, every unit kept; drop --dropout");
        }
        TrainingRun.Prepared p = new TrainingRun(settings, System.out).prepare();
        Network net = p.network();
        if (net.layout().size() > MAX_PARAMETERS) {
            throw new InputException("network " + net.widths() + " has " + net.layout().size() + " parameters; explain draws at most "
                    + MAX_PARAMETERS);
        }
        if (row < 0 || row >= p.train().rows()) {
            throw new InputException("--row " + row + " is not a training row (0 to " + (p.train().rows() - 1) + ")");
        }
        Path file;
        // the reference backend's own numbers, value by value
        try (Backend cpu = Backends.open(Backends.REFERENCE, BackendOptions.defaults(), message -> { })) {
            if (param == null) {
                StepTrace trace = cpu.capability(StepTracing.class)
                        .orElseThrow(() -> new IllegalStateException("the cpu backend cannot trace a step"))
                        .traceStep(net, p.initial(), settings.training().optimizer(), p.train(), row);
                file = Pages.write(page != null ? page : Path.of("out", "explain", settings.name() + "-step.html"), "explain",
                        settings.name() + ": one step of backpropagation", stepData(settings, p, trace));
            } else {
                file = Pages.write(page != null ? page : Path.of("out", "explain", settings.name() + "-"
                                + param.replaceAll("[^A-Za-z0-9.]+", "_") + ".html"), "landscape",
                        settings.name() + ": the loss against " + param, landscapeData(cpu, settings, p));
            }
        }
        System.out.println("wrote " + file);
        return 0;
    }

    private static Map<String, Object> stepData(RunSettings s, TrainingRun.Prepared p, StepTrace t) {
        Network net = p.network();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", s.name());
        d.put("widths", widths(net));
        d.put("activations", net.layers().stream().map(l -> l.activation().id()).toList());
        d.put("loss", net.loss().id());
        d.put("optimizer", s.training().optimizer().toString());
        d.put("sgd", s.training().optimizer() instanceof dev.downhill.optim.Optimizer.Sgd sgd && sgd.momentum() == 0
                && sgd.weightDecay() == 0);
        d.put("inputs", p.train().featureNames());
        d.put("outputs", p.train().targetNames());
        d.put("standardized", p.standardizer() != null);
        d.put("x", t.x());
        d.put("y", t.y());
        d.put("lossValue", t.loss());
        d.put("rate", t.rate());
        d.put("rule", updateRule(s.training().optimizer()));
        List<Object> layers = new ArrayList<>();
        ParameterLayout layout = net.layout();
        for (int l = 0; l < t.layers().size(); l++) {
            StepTrace.Layer layer = t.layers().get(l);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("weightName", layout.weight(l).name());
            m.put("biasName", layout.bias(l).name());
            m.put("W", layer.weights());
            m.put("b", layer.bias());
            m.put("z", layer.z());
            m.put("a", layer.a());
            m.put("dA", layer.lossGradient());
            m.put("slope", layer.slope());
            m.put("dZ", layer.delta());
            m.put("dW", layer.weightGradient());
            m.put("dB", layer.biasGradient());
            m.put("W2", layer.weightsAfter());
            m.put("b2", layer.biasAfter());
            if (layer.first() != null) {
                m.put("mW", layer.first().weights());
                m.put("mB", layer.first().bias());
            }
            if (layer.second() != null) {
                m.put("vW", layer.second().weights());
                m.put("vB", layer.second().bias());
            }
            layers.add(m);
        }
        d.put("layers", layers);
        return d;
    }

    /** The optimiser's update in words and symbols, naming the states the page shows beside it. */
    static Map<String, String> updateRule(dev.downhill.optim.Optimizer optimizer) {
        return switch (optimizer) {
            case dev.downhill.optim.Optimizer.Sgd sgd when sgd.momentum() == 0 -> Map.of();
            case dev.downhill.optim.Optimizer.Sgd sgd -> Map.of("first", "momentum buffer",
                    "text", "buf ← μ·buf + g, then w ← w − η·buf (μ = " + sgd.momentum() + "; on the first step buf = g)");
            case dev.downhill.optim.Optimizer.Adam adam -> Map.of("first", "m", "second", "v", "text", adamText(adam.beta1(), adam.beta2(), ""));
            case dev.downhill.optim.Optimizer.AdamW adam -> Map.of("first", "m", "second", "v", "text",
                    adamText(adam.beta1(), adam.beta2(), "AdamW first shrinks w by η·λ·w (λ = " + adam.weightDecay() + "). "));
            case dev.downhill.optim.Optimizer.RmsProp rms -> rms.momentum() == 0
                    ? Map.of("second", "v", "text", "v ← α·v + (1−α)·g², then w ← w − η·g/(√v + ε) (α = " + rms.alpha() + ")")
                    : Map.of("first", "momentum buffer", "second", "v", "text", "v ← α·v + (1−α)·g², buf ← μ·buf + g/(√v + ε), "
                            + "then w ← w − η·buf (α = " + rms.alpha() + ", μ = " + rms.momentum() + ")");
        };
    }

    private static String adamText(float beta1, float beta2, String decay) {
        return decay + "m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², then w ← w − η·m̂/(√v̂ + ε) with m̂ = m/(1−β1ᵗ), "
                + "v̂ = v/(1−β2ᵗ) (β1 = " + beta1 + ", β2 = " + beta2 + "). On the first step m̂ = g and v̂ = g², so every "
                + "parameter with a non-zero slope moves by about η, whatever the slope's size.";
    }

    private static int[] widths(Network net) {
        int[] w = new int[net.layers().size() + 1];
        w[0] = net.inputWidth();
        for (int i = 0; i < net.layers().size(); i++) w[i + 1] = net.layers().get(i).units();
        return w;
    }

    private static List<double[]> sweepLoss(Backend cpu, RunSettings s, TrainingRun.Prepared p, float[] theta, int index,
                                            float value, double span, int[] all) {
        float[] probe = theta.clone();
        List<double[]> curve = new ArrayList<>();
        for (int i = 0; i <= 120; i++) {
            float v = (float) (value - span + 2 * span * i / 120);
            probe[index] = v;
            try (TrainableModel m = cpu.load(p.network(), probe, s.training().optimizer(), p.train())) {
                curve.add(new double[] {v, m.gradients(all).loss()});
            }
        }
        return curve;
    }

    private static boolean lowestAtAnEdge(List<double[]> curve) {
        int best = 0;
        for (int i = 1; i < curve.size(); i++) if (curve.get(i)[1] < curve.get(best)[1]) best = i;
        return best == 0 || best == curve.size() - 1;
    }

    /** The loss over the training rows at 121 values of one parameter, its slope and step, and its path over training. */
    private Map<String, Object> landscapeData(Backend cpu, RunSettings s, TrainingRun.Prepared p) {
        Network net = p.network();
        int index = ParameterName.index(net, param);
        int[] all = IntStream.range(0, p.train().rows()).toArray();
        float[] theta = p.initial().clone();
        float value = theta[index];
        double gradient, loss;
        try (TrainableModel m = cpu.load(net, theta, s.training().optimizer(), p.train())) {
            BatchGradients g = m.gradients(all);
            gradient = g.gradients()[index];
            loss = g.loss();
        }
        float next;
        try (TrainableModel m = cpu.load(net, theta, s.training().optimizer(), p.train())) {
            m.trainSteps(all, all.length, s.training().optimizer().learningRate());    // one full-batch step: the step the slope asks for
            next = m.parameters()[index];
        }
        // widen the window until the lowest loss lies inside it, so the curve shows its valley
        double span = Math.max(1.0, Math.max(4 * Math.abs(next - value), Math.abs(value)));
        List<double[]> curve = sweepLoss(cpu, s, p, theta, index, value, span, all);
        for (int widen = 0; widen < 6 && lowestAtAnEdge(curve); widen++) {
            span *= 2;
            curve = sweepLoss(cpu, s, p, theta, index, value, span, all);
        }
        List<double[]> path = new ArrayList<>();
        path.add(new double[] {0, value, loss});
        try (TrainableModel m = cpu.load(net, p.initial(), s.training().optimizer(), p.train())) {
            new Trainer(s.training().config()).listener(new TrainingListener() {
                @Override public void onEpoch(EpochReport r) {
                    path.add(new double[] {r.epoch(), m.parameters()[index], r.loss()});
                }
            }).train(m, p.train().rows(), null);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", s.name());
        d.put("param", ParameterName.describe(net, index));
        d.put("value", value);
        d.put("loss", loss);
        d.put("gradient", gradient);
        d.put("next", next);
        d.put("rate", s.training().optimizer().learningRate());
        d.put("optimizer", s.training().optimizer().toString());
        d.put("curve", curve.stream().map(c -> List.of(c[0], c[1])).toList());
        d.put("path", path.stream().map(c -> List.of(c[0], c[1], c[2])).toList());
        return d;
    }
}
