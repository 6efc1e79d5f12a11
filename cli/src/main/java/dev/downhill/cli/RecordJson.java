package dev.downhill.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records as JSON values and back, component by component, so that {@link RunSettings} is saved
 * whole and a component added to it is saved without a line here. Handled: records; sealed
 * interfaces of records (an object with {@code "kind"}, the record's simple name); enums (by
 * name); lists; int arrays; strings; paths (absolute, so that a run resumes from any folder);
 * numbers and booleans. Reading goes through each record's canonical constructor, so its checks
 * apply to what is read.
 */
final class RecordJson {
    static final String KIND = "kind";

    private RecordJson() {}

    /** {@code value} as maps, lists, strings, numbers and booleans, for {@link dev.downhill.io.Json#write}. */
    static Object toJson(Object value) {
        return switch (value) {
            case null -> null;
            case Record r -> {
                Map<String, Object> map = new LinkedHashMap<>();
                if (isSealedMember(r.getClass())) map.put(KIND, r.getClass().getSimpleName());
                for (RecordComponent c : r.getClass().getRecordComponents()) map.put(c.getName(), toJson(get(c, r)));
                yield map;
            }
            case Enum<?> e -> e.name();
            case Path p -> p.toAbsolutePath().normalize().toString();
            case List<?> l -> l.stream().map(RecordJson::toJson).toList();
            case int[] a -> a.clone();
            case String s -> s;
            case Number n -> n;
            case Boolean b -> b;
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        };
    }

    /** The value of {@code type} that {@code json} (as {@link dev.downhill.io.Json#parse} gives it) describes. */
    static Object fromJson(Object json, Type type) {
        if (json == null) {
            if (type instanceof Class<?> c && c.isPrimitive()) throw new IllegalArgumentException("null for a " + c);
            return null;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            List<Object> list = new ArrayList<>();
            for (Object element : cast(json, List.class, type)) list.add(fromJson(element, p.getActualTypeArguments()[0]));
            return List.copyOf(list);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) return cast(json, String.class, type);
        if (c == Path.class) return Path.of(cast(json, String.class, type));
        if (c == boolean.class || c == Boolean.class) return cast(json, Boolean.class, type);
        if (c == int.class || c == Integer.class) return Math.toIntExact(cast(json, Long.class, type));
        if (c == long.class || c == Long.class) return cast(json, Long.class, type);
        if (c == float.class || c == Float.class) return cast(json, Number.class, type).floatValue();
        if (c == double.class || c == Double.class) return cast(json, Number.class, type).doubleValue();
        if (c == int[].class) return cast(json, List.class, type).stream().mapToInt(v -> Math.toIntExact((Long) v)).toArray();
        if (c.isEnum()) return enumConstant(c, cast(json, String.class, type));
        Map<?, ?> map = cast(json, Map.class, type);
        if (c.isSealed()) c = member(c, String.valueOf(map.get(KIND)));
        if (c.isRecord()) return record(c, map);
        throw new IllegalArgumentException("no JSON form for " + c.getName());
    }

    private static Object record(Class<?> c, Map<?, ?> map) {
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = components[i].getName();
            if (!map.containsKey(name)) throw new IllegalArgumentException(c.getSimpleName() + " has no '" + name + "'");
            args[i] = fromJson(map.get(name), components[i].getGenericType());
            types[i] = components[i].getType();
        }
        try {
            Constructor<?> canonical = c.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isSealedMember(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) if (i.isSealed()) return true;
        return false;
    }

    private static Class<?> member(Class<?> sealed, String kind) {
        for (Class<?> m : sealed.getPermittedSubclasses()) if (m.getSimpleName().equals(kind)) return m;
        throw new IllegalArgumentException("no " + sealed.getSimpleName() + " of kind '" + kind + "'");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> c, String name) {
        return Enum.valueOf((Class) c, name);
    }

    private static <T> T cast(Object json, Class<T> expected, Type type) {
        if (!expected.isInstance(json)) {
            throw new IllegalArgumentException("expected " + expected.getSimpleName() + " for " + type.getTypeName() + ", got " + json);
        }
        return expected.cast(json);
    }
}
