package dev.downhill.cuda;

import dev.downhill.backend.Regularization;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Path choice follows each path's declared math: without a GPU, on the plans alone. */
class EpochPathTest {
    @Test
    void aPathTakesExactlyThePairingsItDeclares() {
        List<String> wrong = new ArrayList<>();
        int declared = 0;
        for (PathCase c : PathCase.all()) {
            boolean supports = c.path().supports(c.network());
            EpochPath chosen = EpochPath.of(c.network(), Regularization.NONE, c.batch(), c.path());
            if (supports) declared++;
            if (supports != (chosen == c.path())) wrong.add(c + " is " + (supports ? "" : "not ") + "declared but "
                    + chosen + " was chosen");
            if (!supports && chosen != EpochPath.STEP_GRAPH) wrong.add(c + " falls back to " + chosen + ", not the general path");
            if (c.path() == EpochPath.FUSED_MLP && supports != (Mlp64Plan.of(c.network(), c.batch()) != null)) {
                wrong.add(c + ": the plan and the declaration disagree");
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(declared > 0 && declared < PathCase.all().size(), "some pairings are declared and some are not: " + declared);
    }

    /** Dropout and clipping run on the general path, whatever faster path the network would otherwise take. */
    @Test
    void aRegularisedStepTakesTheGeneralPath() {
        for (Regularization r : java.util.List.of(Regularization.NONE.withDropout(0.2, 1), Regularization.NONE.withClipNorm(1))) {
            for (PathCase c : PathCase.all()) {
                assertEquals(EpochPath.STEP_GRAPH, EpochPath.of(c.network(), r, c.batch(), EpochPath.TINY_NET), c + ", " + r);
            }
            for (EpochPath p : EpochPath.values()) assertEquals(p == EpochPath.STEP_GRAPH, p.supports(r), p + ", " + r);
        }
    }

    @Test
    void theGeneralPathComputesEverything() {
        for (PathCase c : PathCase.all()) assertTrue(EpochPath.STEP_GRAPH.supports(c.network()), c.toString());
    }
}
