package dev.downhill.cuda;

import dev.downhill.optim.Optimizer;

/** An optimiser as the arguments of optimizer_update.cu. RMSProp's α travels in {@code beta1}. */
record OptimizerCode(int kind, float beta1, float beta2, float epsilon, float momentum, float weightDecay,
                     boolean nesterov) {
    /** The bytes of {@code struct OptimizerArgs} (optimizer.cuh), for passing by value to a kernel. */
    int[] asStruct() {
        return new int[] {kind, Float.floatToRawIntBits(beta1), Float.floatToRawIntBits(beta2),
                Float.floatToRawIntBits(epsilon), Float.floatToRawIntBits(momentum), Float.floatToRawIntBits(weightDecay),
                nesterov ? 1 : 0};
    }

    static OptimizerCode of(Optimizer optimizer) {
        return switch (optimizer) {
            case Optimizer.Sgd s -> new OptimizerCode(KernelCodes.optimizer(s), 0, 0, 0, s.momentum(), s.weightDecay(), s.nesterov());
            case Optimizer.Adam a -> new OptimizerCode(KernelCodes.optimizer(a), a.beta1(), a.beta2(), a.epsilon(), 0, a.weightDecay(), false);
            case Optimizer.AdamW a -> new OptimizerCode(KernelCodes.optimizer(a), a.beta1(), a.beta2(), a.epsilon(), 0, a.weightDecay(), false);
            case Optimizer.RmsProp r -> new OptimizerCode(KernelCodes.optimizer(r), r.alpha(), 0, r.epsilon(), r.momentum(), r.weightDecay(), false);
        };
    }
}
