package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.backend.BackendOptions;
import dev.downhill.backend.BatchGradients;
import dev.downhill.backend.TrainableModel;
import dev.downhill.cpu.CpuBackend;
import dev.downhill.cpu.StepTrace;
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
        try (CpuBackend cpu = new CpuBackend(BackendOptions.defaults())) {
            if (param == null) {
                StepTrace trace = cpu.traceStep(net, p.initial(), settings.optimizer(), p.train(), row);
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
        d.put("optimizer", s.optimizer().toString());
        d.put("sgd", s.optimizer() instanceof dev.downhill.optim.Optimizer.Sgd sgd && sgd.momentum() == 0
                && sgd.weightDecay() == 0);
        d.put("inputs", p.train().featureNames());
        d.put("outputs", p.train().targetNames());
        d.put("standardized", p.standardizer() != null);
        d.put("x", t.x());
        d.put("y", t.y());
        d.put("lossValue", t.loss());
        d.put("rate", t.rate());
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
            layers.add(m);
        }
        d.put("layers", layers);
        return d;
    }

    private static int[] widths(Network net) {
        int[] w = new int[net.layers().size() + 1];
        w[0] = net.inputWidth();
        for (int i = 0; i < net.layers().size(); i++) w[i + 1] = net.layers().get(i).units();
        return w;
    }

    private static List<double[]> sweepLoss(CpuBackend cpu, RunSettings s, TrainingRun.Prepared p, float[] theta, int index,
                                            float value, double span, int[] all) {
        float[] probe = theta.clone();
        List<double[]> curve = new ArrayList<>();
        for (int i = 0; i <= 120; i++) {
            float v = (float) (value - span + 2 * span * i / 120);
            probe[index] = v;
            try (TrainableModel m = cpu.load(p.network(), probe, s.optimizer(), p.train())) {
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
    private Map<String, Object> landscapeData(CpuBackend cpu, RunSettings s, TrainingRun.Prepared p) {
        Network net = p.network();
        int index = ParameterName.index(net, param);
        int[] all = IntStream.range(0, p.train().rows()).toArray();
        float[] theta = p.initial().clone();
        float value = theta[index];
        double gradient, loss;
        try (TrainableModel m = cpu.load(net, theta, s.optimizer(), p.train())) {
            BatchGradients g = m.gradients(all);
            gradient = g.gradients()[index];
            loss = g.loss();
        }
        float next;
        try (TrainableModel m = cpu.load(net, theta, s.optimizer(), p.train())) {
            m.trainEpoch(all, all.length, s.optimizer().learningRate());    // one full-batch step: the step the slope asks for
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
        try (TrainableModel m = cpu.load(net, p.initial(), s.optimizer(), p.train())) {
            new Trainer(s.training()).listener(new TrainingListener() {
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
        d.put("rate", s.optimizer().learningRate());
        d.put("optimizer", s.optimizer().toString());
        d.put("curve", curve.stream().map(c -> List.of(c[0], c[1])).toList());
        d.put("path", path.stream().map(c -> List.of(c[0], c[1], c[2])).toList());
        return d;
    }
}
