package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.io.Json;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's settings as a training checkpoint keeps them: one JSON object in the metadata, under
 * {@link #KEY}, with every path absolute. {@code --resume} reads them back as they were resolved
 * when the run started; it never parses a command line again.
 */
final class RunSettingsJson {
    static final String KEY = "downhill.settings";
    /** The form's version: a later Downhill that changes the settings reads older forms by it. */
    static final int VERSION = 2;

    private RunSettingsJson() {}

    static String write(RunSettings settings) {
        Map<String, Object> saved = new LinkedHashMap<>();
        saved.put("version", VERSION);
        saved.put("run", RecordJson.toJson(settings));
        return Json.write(saved);
    }

    /** The settings in {@code metadata}; {@code file} names the checkpoint in an error. */
    static RunSettings read(Map<String, String> metadata, Path file) {
        String text = metadata.get(KEY);
        if (text == null) {
            throw new InputException(file + ": holds no run settings (" + KEY + "); it was not written by downhill train, "
                    + "or by a version before 0.1.0 whose checkpoints resume cannot read");
        }
        try {
            if (!(Json.parse(text) instanceof Map<?, ?> saved) || !(saved.get("version") instanceof Long version)) {
                throw new IllegalArgumentException("not an object with a version");
            }
            if (version < 1 || version > VERSION) {
                throw new IllegalArgumentException("version " + version + ", this Downhill reads 1 to " + VERSION);
            }
            Object run = saved.get("run");
            if (version == 1) run = withoutDropout(run);
            return (RunSettings) RecordJson.fromJson(run, RunSettings.class);
        } catch (IllegalArgumentException | InputException e) {
            throw new InputException(file + ": the run settings in " + KEY + " are unreadable (" + e.getMessage() + ")");
        }
    }

    /** Version 1 is version 2 before --dropout: its runs dropped nothing. */
    @SuppressWarnings("unchecked")
    private static Object withoutDropout(Object run) {
        if (run instanceof Map<?, ?> r && r.get("training") instanceof Map<?, ?> training) {
            Map<String, Object> upgraded = new LinkedHashMap<>((Map<String, Object>) training);
            upgraded.putIfAbsent("dropout", 0.0);
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) r);
            copy.put("training", upgraded);
            return copy;
        }
        return run;
    }
}
