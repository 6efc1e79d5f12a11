package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.optim.Optimizer;
import picocli.CommandLine.Option;

/** The optimiser options of {@code downhill train}; unset ones take PyTorch's defaults. */
final class OptimizerOptions {
    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, adam, adamw or rmsprop (default: sgd)")
    String name;

    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate η (default: 0.01)")
    Float learningRate;

    @Option(names = "--momentum", paramLabel = "μ", description = "momentum for sgd and rmsprop (default: 0)")
    Float momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum (sgd)")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "λ", description = "weight decay (default: 0; adamw 0.01)")
    Float weightDecay;

    @Option(names = "--beta1", paramLabel = "β1", description = "Adam β1 (default: 0.9)")
    Float beta1;

    @Option(names = "--beta2", paramLabel = "β2", description = "Adam β2 (default: 0.999)")
    Float beta2;

    @Option(names = "--eps", paramLabel = "ε", description = "Adam/RMSProp ε (default: 1e-8)")
    Float epsilon;

    @Option(names = "--alpha", paramLabel = "α", description = "RMSProp smoothing α (default: 0.99)")
    Float alpha;

    /** The optimiser asked for, with {@code defaultName} and {@code defaultRate} where none was given. */
    Optimizer resolve(String defaultName, float defaultRate) {
        float lr = learningRate != null ? learningRate : defaultRate;
        String n = name != null ? name : defaultName;
        return switch (n.toLowerCase(java.util.Locale.ROOT)) {
            case "sgd" -> new Optimizer.Sgd(lr, or(momentum, 0), nesterov, or(weightDecay, 0));
            case "adam" -> new Optimizer.Adam(lr, or(beta1, 0.9f), or(beta2, 0.999f), or(epsilon, 1e-8f), or(weightDecay, 0));
            case "adamw" -> new Optimizer.AdamW(lr, or(beta1, 0.9f), or(beta2, 0.999f), or(epsilon, 1e-8f),
                    or(weightDecay, 0.01f));
            case "rmsprop" -> new Optimizer.RmsProp(lr, or(alpha, 0.99f), or(epsilon, 1e-8f), or(momentum, 0),
                    or(weightDecay, 0));
            default -> throw new InputException("unknown optimiser '" + n + "' (expected sgd, adam, adamw or rmsprop)");
        };
    }

    private static float or(Float value, float fallback) {
        return value != null ? value : fallback;
    }
}
