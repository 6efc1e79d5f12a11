package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.io.AtomicFile;
import dev.downhill.train.EpochReport;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code train --json FILE}: one JSON object a line, written whole and flushed as each epoch ends,
 * so that a script or a notebook can follow a run while it goes; then one for how the run ended.
 * Every object names its run (the seed example has two) and its {@code event}: {@code epoch},
 * {@code end} or {@code stopped}. Numbers that are not (a regression's accuracy) are null.
 */
final class JsonLinesLog implements AutoCloseable {
    /** No log: where --json is not given. */
    static final JsonLinesLog NONE = new JsonLinesLog(null, null);

    private final Path file;
    private final Writer writer;
    private boolean broken;

    private JsonLinesLog(Path file, Writer writer) {
        this.file = file;
        this.writer = writer;
    }

    /** A new log in {@code file}; a resumed run goes on at its end ({@code append}). */
    static JsonLinesLog open(Path file, boolean append) {
        AtomicFile.checkWritable(file, "the JSON log");
        try {
            return new JsonLinesLog(file, new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)));
        } catch (IOException e) {
            throw new InputException(file + ": cannot write the JSON log (" + AtomicFile.reason(e) + ")");
        }
    }

    void epoch(String run, EpochReport r) {
        Map<String, Object> line = start(run, "epoch");
        line.put("epoch", r.epoch());
        line.put("loss", r.loss());
        line.put("accuracy", r.trainingAccuracy());
        line.put("val_loss", r.validationLoss());
        line.put("val_accuracy", r.validationAccuracy());
        line.put("val_mae", r.validationMae());
        line.put("val_rmse", r.validationRmse());
        line.put("val_r2", r.validationR2());
        line.put("lr", r.learningRate());
        line.put("seconds", r.nanos() / 1e9);
        write(line);
    }

    /** The last line of a run: {@code fields} after its name and event. */
    void last(String run, String event, Map<String, Object> fields) {
        Map<String, Object> line = start(run, event);
        line.putAll(fields);
        write(line);
    }

    private static Map<String, Object> start(String run, String event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("run", run);
        line.put("event", event);
        return line;
    }

    /** A line, whole; a log that cannot be written any more is given up with a warning, not the run that it follows. */
    private void write(Map<String, Object> line) {
        if (writer == null || broken) return;
        try {
            writer.write(dev.downhill.io.Json.write(line) + "\n");
            writer.flush();
        } catch (IOException e) {
            broken = true;
            System.err.println("downhill: warning: " + file + ": cannot write the JSON log any more (" + AtomicFile.reason(e)
                    + "); the run goes on without it");
        }
    }

    @Override
    public void close() {
        if (writer == null) return;
        try {
            writer.close();
        } catch (IOException e) {
            if (!broken) System.err.println("downhill: warning: " + file + ": cannot close the JSON log (" + AtomicFile.reason(e) + ")");
        }
    }
}
