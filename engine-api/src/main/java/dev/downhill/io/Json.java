package dev.downhill.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text to and from plain Java values, through Jackson's streaming parser and generator:
 * objects as {@code Map<String, Object>} (in order), arrays as {@code List}, integers as
 * {@code Long}, other numbers as {@code Double}, strings, booleans and null. Parsing is strict
 * (one value, no duplicate keys, at most 64 levels deep) because it reads files a user hands us:
 * a malformed text is an {@link IllegalArgumentException} naming the character offset, never a
 * partial value.
 */
public final class Json {
    private static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private Json() {}

    /** The value of {@code text}, which must hold exactly one JSON value. */
    public static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) throw new IllegalArgumentException("no JSON value at character 0");
            Object value = value(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected text after the value at character "
                        + p.currentTokenLocation().getCharOffset());
            }
            return value;
        } catch (JsonProcessingException e) {
            // a broken limit (nesting) comes without a location; its message says what and how deep
            throw new IllegalArgumentException(e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, value(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(value(p));
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) p.getDoubleValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected " + p.currentToken() + " at character "
                    + p.currentTokenLocation().getCharOffset());
        };
    }

    /**
     * {@code value} as JSON: maps, lists, strings, booleans, numbers and arrays of int, float and
     * double. Finite numbers keep their shortest decimal form (a float as a float); NaN and the
     * infinities, which JSON lacks, are null.
     */
    public static String write(Object value) {
        return write(value, false);
    }

    /** The same, with {@code <} escaped, so that the text can sit inside an HTML {@code <script>} element. */
    public static String writeForHtml(Object value) {
        return write(value, true);
    }

    private static String write(Object value, boolean forHtml) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(text)) {
            if (forHtml) g.setCharacterEscapes(HtmlEscapes.INSTANCE);
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Float f -> number(g, f);
            case Double d -> number(g, d);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Number n -> number(g, n.doubleValue());
            case int[] a -> g.writeArray(a, 0, a.length);
            case float[] a -> {
                g.writeStartArray();
                for (float f : a) number(g, f);
                g.writeEndArray();
            }
            case double[] a -> {
                g.writeStartArray();
                for (double d : a) number(g, d);
                g.writeEndArray();
            }
            case Object[] a -> write(g, java.util.Arrays.asList(a));
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) write(g, o);
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass());
        }
    }

    private static void number(JsonGenerator g, double d) throws IOException {
        if (Double.isFinite(d)) g.writeNumber(d); else g.writeNull();
    }

    private static void number(JsonGenerator g, float f) throws IOException {
        if (Float.isFinite(f)) g.writeNumber(f); else g.writeNull();
    }

    /** JSON's standard escapes plus {@code <}, which keeps "</script>" out of data embedded in a page. */
    private static final class HtmlEscapes extends CharacterEscapes {
        static final HtmlEscapes INSTANCE = new HtmlEscapes();
        private final int[] escapes = standardAsciiEscapesForJSON();

        private HtmlEscapes() {
            escapes['<'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
