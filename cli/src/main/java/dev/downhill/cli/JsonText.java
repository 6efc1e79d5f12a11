package dev.downhill.cli;

import java.util.List;
import java.util.Map;

/** Writes maps, lists, strings, numbers and float arrays as JSON text, for the data embedded in pages. */
final class JsonText {
    private JsonText() {}

    static String of(Object value) {
        StringBuilder s = new StringBuilder();
        write(s, value);
        return s.toString();
    }

    private static void write(StringBuilder s, Object v) {
        switch (v) {
            case null -> s.append("null");
            case String str -> quote(s, str);
            case Boolean b -> s.append(b);
            case Float f -> number(s, f);
            case Double d -> number(s, d);
            case Number n -> s.append(n);
            case int[] a -> {
                s.append('[');
                for (int i = 0; i < a.length; i++) s.append(i > 0 ? "," : "").append(a[i]);
                s.append(']');
            }
            case int[][] a -> write(s, java.util.Arrays.asList((Object[]) a));
            case float[] a -> {
                s.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) s.append(',');
                    number(s, a[i]);
                }
                s.append(']');
            }
            case double[] a -> {
                s.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) s.append(',');
                    number(s, a[i]);
                }
                s.append(']');
            }
            case Map<?, ?> m -> {
                s.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) s.append(',');
                    first = false;
                    quote(s, String.valueOf(e.getKey()));
                    s.append(':');
                    write(s, e.getValue());
                }
                s.append('}');
            }
            case List<?> l -> {
                s.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) s.append(',');
                    write(s, l.get(i));
                }
                s.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass());
        }
    }

    /** Finite numbers as themselves (float values keep their shortest decimal form); NaN and infinities as null. */
    private static void number(StringBuilder s, double d) {
        if (!Double.isFinite(d)) s.append("null");
        else s.append(d);
    }

    private static void number(StringBuilder s, float f) {
        if (!Float.isFinite(f)) s.append("null");
        else s.append(f);
    }

    private static void quote(StringBuilder s, String str) {
        s.append('"');
        for (char c : str.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '<' -> s.append("\\u003c");      // keeps "</script>" out of embedded data
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c)); else s.append(c);
                }
            }
        }
        s.append('"');
    }
}
