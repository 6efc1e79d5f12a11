package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.io.AtomicFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Which data file a run trained on: its absolute path, size and SHA-256, kept in training
 * checkpoints. A resumed run continues "bit for bit" only on the same rows, so a file changed
 * since the checkpoint is refused rather than trained on silently.
 */
record DataFingerprint(Path file, long bytes, String sha256) {
    static final String PATH = "downhill.data.path", BYTES = "downhill.data.bytes", SHA256 = "downhill.data.sha256";

    static DataFingerprint of(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(absolute)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            long bytes = 0;
            for (int n; (n = in.read(buffer)) >= 0; bytes += n) digest.update(buffer, 0, n);
            return new DataFingerprint(absolute, bytes, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + AtomicFile.reason(e) + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    void addTo(Map<String, String> metadata) {
        metadata.put(PATH, file.toString());
        metadata.put(BYTES, Long.toString(bytes));
        metadata.put(SHA256, sha256);
    }

    /** Fails when the file now differs from the one {@code metadata} recorded; checkpoints without a record pass. */
    void requireSameAs(Map<String, String> metadata, Path checkpoint) {
        String recorded = metadata.get(SHA256);
        if (recorded == null || recorded.equals(sha256)) return;
        String size = metadata.getOrDefault(BYTES, "?");
        throw new InputException(file + ": the data changed since " + checkpoint + " was saved (" + size + " bytes then, "
                + bytes + " now; SHA-256 differs); resuming on other rows would not continue the same run. "
                + "Restore the file, or start a new run");
    }
}
