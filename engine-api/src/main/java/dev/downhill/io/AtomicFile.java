package dev.downhill.io;

import dev.downhill.InputException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files written whole or not at all: the content goes into a temporary file beside the target,
 * is forced to disk, and is renamed over the target. A crash, a full disk or Ctrl-C leaves the
 * previous content in place; the temporary file is removed on every exit the JVM sees (a
 * SIGKILL leaves it behind, named {@code .NAME.*.tmp}, and never the target half-written).
 */
public final class AtomicFile {
    /** What writes the content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Temporary files being written, and the file each is for. */
    private static final Map<Path, Path> UNFINISHED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> UNFINISHED.forEach((tmp, target) -> {
            try {
                Files.deleteIfExists(tmp);
                System.err.println("downhill: stopped before " + target + " was complete; it is left as it was");
            } catch (IOException ignored) {
                // exiting anyway; the file's name marks it as abandoned
            }
        }), "downhill-unfinished-files"));
    }

    private AtomicFile() {}

    /**
     * Writes {@code file} atomically; {@code what} names its content in errors ("predictions",
     * "checkpoint"). A failure is an {@link InputException} naming the file and the reason.
     */
    public static void write(Path file, String what, Content content) {
        if (isDevice(file)) {
            writeInPlace(file, what, content);
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            refuseDirectory(file, what);
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            UNFINISHED.put(tmp, file);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot write " + what + " (" + reason(e) + ")");
        } finally {
            if (tmp != null) {
                UNFINISHED.remove(tmp);
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed or the rename consumed it; that outcome is the one to report
                }
            }
        }
    }

    /** A device or a pipe ({@code /dev/null}, a FIFO) has no content to keep, and cannot be renamed over. */
    private static boolean isDevice(Path file) {
        return Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file);
    }

    private static void writeInPlace(Path file, String what, Content content) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 1 << 16)) {
            content.writeTo(out);
        } catch (IOException e) {
            throw new InputException(file + ": cannot write " + what + " (" + reason(e) + ")");
        }
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path file, String what, CharSequence text) {
        write(file, what, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Fails now, before any work, where {@code file} could not be written later: a directory in
     * its place, a folder that cannot be made, or one where no file can be created.
     */
    public static void checkWritable(Path file, String what) {
        if (isDevice(file)) return;
        try {
            refuseDirectory(file, what);
            checkFolderWritable(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new InputException(file + ": cannot write " + what + " (" + reason(e) + ")");
        }
    }

    /** Fails now where files could not be created in {@code folder} (made if missing). */
    public static void checkFolderWritable(Path folder, String what) {
        try {
            if (Files.exists(folder) && !Files.isDirectory(folder)) throw new NotDirectoryException(folder.toString());
            checkFolderWritable(folder.toAbsolutePath());
        } catch (IOException e) {
            throw new InputException(folder + ": cannot write " + what + " there (" + reason(e) + ")");
        }
    }

    private static void checkFolderWritable(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path probe = Files.createTempFile(folder, ".downhill-write-check.", ".tmp");
        Files.delete(probe);
    }

    private static void refuseDirectory(Path file, String what) throws IOException {
        if (Files.isDirectory(file)) throw new FileSystemException(file.toString(), null, "it is a folder");
    }

    /** The operating system's reason, without the path the caller already names. */
    public static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file or folder: " + n.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            case NotDirectoryException n -> "not a folder: " + n.getFile();
            case java.nio.file.FileAlreadyExistsException f -> "a file is in the way: " + f.getFile();
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage();
        };
    }
}
