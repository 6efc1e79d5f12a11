package dev.downhill.optim;

import dev.downhill.InputException;

/**
 * The learning rate of each epoch, as PyTorch's schedulers stepped once per epoch.
 * {@link #rate(float, int)} gives η for a 0-based epoch from the base rate η₀.
 */
public sealed interface LearningRateSchedule extends java.io.Serializable {

    float rate(float baseRate, int epoch);

    /** η = η₀. */
    record Constant() implements LearningRateSchedule {
        @Override public float rate(float baseRate, int epoch) { return baseRate; }
        @Override public String toString() { return "constant"; }
    }

    /** η = η₀·γ^⌊epoch/stepSize⌋, as {@code StepLR}. */
    record Step(int stepSize, float gamma) implements LearningRateSchedule {
        public Step {
            if (stepSize < 1) throw new InputException("step schedule: step size must be at least 1, got " + stepSize);
            if (!(gamma > 0)) throw new InputException("step schedule: gamma must be positive, got " + gamma);
        }

        @Override public float rate(float baseRate, int epoch) {
            return (float) (baseRate * Math.pow(gamma, epoch / stepSize));
        }

        @Override public String toString() { return "step:" + stepSize + ":" + gamma; }
    }

    /** η = η₀·γ^epoch, as {@code ExponentialLR}. */
    record Exponential(float gamma) implements LearningRateSchedule {
        public Exponential {
            if (!(gamma > 0)) throw new InputException("exponential schedule: gamma must be positive, got " + gamma);
        }

        @Override public float rate(float baseRate, int epoch) {
            return (float) (baseRate * Math.pow(gamma, epoch));
        }

        @Override public String toString() { return "exp:" + gamma; }
    }

    /**
     * Linear warm-up over {@code warmupEpochs} (η₀·(e+1)/w), then cosine annealing from η₀ to
     * {@code minRate} over the remaining {@code totalEpochs − warmupEpochs}, as
     * {@code CosineAnnealingLR} after a {@code LinearLR} warm-up.
     */
    record CosineWithWarmup(int warmupEpochs, int totalEpochs, float minRate) implements LearningRateSchedule {
        public CosineWithWarmup {
            if (warmupEpochs < 0 || totalEpochs <= warmupEpochs) {
                throw new InputException("cosine schedule: need 0 <= warm-up < total epochs, got warm-up "
                        + warmupEpochs + " of " + totalEpochs);
            }
            if (!(minRate >= 0)) throw new InputException("cosine schedule: minimum rate must be >= 0, got " + minRate);
        }

        @Override public float rate(float baseRate, int epoch) {
            if (epoch < warmupEpochs) return baseRate * (epoch + 1) / warmupEpochs;
            double progress = Math.min(1.0, (double) (epoch - warmupEpochs) / (totalEpochs - warmupEpochs));
            return (float) (minRate + (baseRate - minRate) * (1 + Math.cos(Math.PI * progress)) / 2);
        }

        /** The form --schedule takes (the total is the run's epochs). */
        @Override public String toString() { return "cosine:" + warmupEpochs + ":" + minRate; }
    }

    /** Reads {@code constant}, {@code step:SIZE:GAMMA}, {@code exp:GAMMA} or {@code cosine:WARMUP:MIN}. */
    static LearningRateSchedule parse(String text, int totalEpochs) {
        String[] p = text.split(":", -1);
        int parts = switch (p[0]) {
            case "constant" -> 1;
            case "step" -> 3;
            case "exp", "exponential" -> 2;
            case "cosine" -> Math.max(1, Math.min(p.length, 3));
            default -> p.length;
        };
        if (p.length != parts) {
            throw new InputException("schedule '" + text + "' has " + (p.length - 1) + " parameters, " + p[0] + " takes "
                    + (parts - 1) + " (expected constant, step:SIZE:GAMMA, exp:GAMMA or cosine:WARMUP:MIN)");
        }
        try {
            return switch (p[0]) {
                case "constant" -> new Constant();
                case "step" -> new Step(Integer.parseInt(p[1]), Float.parseFloat(p[2]));
                case "exp", "exponential" -> new Exponential(Float.parseFloat(p[1]));
                case "cosine" -> new CosineWithWarmup(p.length > 1 ? Integer.parseInt(p[1]) : 0, totalEpochs,
                        p.length > 2 ? Float.parseFloat(p[2]) : 0f);
                default -> throw new InputException("unknown schedule '" + text
                        + "' (expected constant, step:SIZE:GAMMA, exp:GAMMA or cosine:WARMUP:MIN)");
            };
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new InputException("schedule '" + text + "' is malformed (expected constant, step:SIZE:GAMMA, exp:GAMMA or cosine:WARMUP:MIN)");
        }
    }
}
