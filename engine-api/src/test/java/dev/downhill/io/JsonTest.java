package dev.downhill.io;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void valuesComeBackAsTheyWereWritten() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "a \"quoted\"\nline\t\u0001");
        value.put("count", 3L);
        value.put("big", Long.MAX_VALUE);
        value.put("ratio", 0.1);
        value.put("flags", List.of(true, false));
        value.put("none", null);
        value.put("nested", Map.of("k", List.of(1L, 2L)));
        assertEquals(value, Json.parse(Json.write(value)));
    }

    @Test
    void numbersKeepTheirShortestFormAndNonFiniteOnesBecomeNull() {
        assertEquals("[0.1,1.0E-7,null,null]", Json.write(new float[] {0.1f, 1e-7f, Float.NaN, Float.POSITIVE_INFINITY}));
        assertEquals("[0.1,null]", Json.write(new double[] {0.1, Double.NEGATIVE_INFINITY}));
        assertEquals("[[1,2],[3]]", Json.write(new int[][] {{1, 2}, {3}}));
        assertEquals(Arrays.asList(1L, 2.5, null), Json.parse("[1, 2.5, null]"));
    }

    @Test
    void textForAPageHasNoClosingScriptTag() {
        String text = Json.writeForHtml(Map.of("title", "</script><b>"));
        assertFalse(text.contains("<"), text);
        assertEquals(Map.of("title", "</script><b>"), Json.parse(text));
    }

    @Test
    void malformedTextIsRefusedWithWhere() {
        assertMalformed("{\"a\":1,\"a\":2}", "Duplicate field 'a'");
        assertMalformed("{\"a\":1} x", "at character");
        assertMalformed("{\"a\":", "at character");
        assertMalformed("", "no JSON value");
        assertMalformed("[1,]", "at character");
        assertMalformed("[".repeat(65) + "]".repeat(65), "nesting depth (65) exceeds the maximum allowed (64");
    }

    private static void assertMalformed(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
