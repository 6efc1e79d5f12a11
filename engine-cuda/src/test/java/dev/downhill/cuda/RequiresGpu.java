package dev.downhill.cuda;

import dev.downhill.backend.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips a GPU test class, with the reason, where the CUDA backend cannot run; so the report counts it as skipped. */
final class RequiresGpu implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Availability a = new CudaBackendProvider().availability();
        return a.available() ? ConditionEvaluationResult.enabled("GPU: " + a.detail())
                : ConditionEvaluationResult.disabled("no GPU here: " + a.detail());
    }
}
