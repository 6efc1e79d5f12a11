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
    static final int VERSION = 1;

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
            if (version != VERSION) throw new IllegalArgumentException("version " + version + ", this Downhill reads " + VERSION);
            return (RunSettings) RecordJson.fromJson(saved.get("run"), RunSettings.class);
        } catch (IllegalArgumentException | InputException e) {
            throw new InputException(file + ": the run settings in " + KEY + " are unreadable (" + e.getMessage() + ")");
        }
    }
}
