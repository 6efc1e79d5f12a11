package dev.downhill.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RegularizationTest {
    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Regularization.NONE.withDropout(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> Regularization.NONE.withDropout(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Regularization.NONE.withDropout(Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> Regularization.NONE.withClipNorm(-1));
        assertThrows(IllegalArgumentException.class, () -> Regularization.NONE.withClipNorm(Double.POSITIVE_INFINITY));
    }

    @Test
    void eachPartIsSetWithoutTouchingTheOther() {
        Regularization both = Regularization.NONE.withDropout(0.25, 7).withClipNorm(2);
        assertEquals(new Regularization(0.25, 7, 2), both);
        assertEquals(0.25, both.dropoutMask().rate());
        assertTrue(both.clipsGradients());
        assertFalse(both.isNone());
        assertNull(Regularization.NONE.dropoutMask());
        assertTrue(Regularization.NONE.isNone());
        assertTrue(Regularization.NONE.withDropout(0, 9).isNone(), "a rate of 0 drops nothing");
    }
}
