package dev.downhill.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Self-contained HTML pages: a template from the jar (pages/NAME.html, with its script and style
 * inline) with the engine's numbers embedded as JSON in {@code <script id="data">}. Nothing is
 * fetched when the page opens.
 */
final class Pages {
    private Pages() {}

    static Path write(Path file, String template, String title, Object data) {
        String html;
        try (InputStream in = Pages.class.getResourceAsStream("pages/" + template + ".html")) {
            if (in == null) throw new IllegalStateException("page template " + template + " is missing from the jar");
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read page template " + template, e);
        }
        html = html.replace("{{TITLE}}", title.replace("<", "&lt;")).replace("{{DATA}}", dev.downhill.io.Json.writeForHtml(data));
        dev.downhill.io.AtomicFile.writeString(file, "the page", html);
        return file;
    }
}
