package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.io.AtomicFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A training run's output folder, held for the run: checked writable before the first epoch (so
 * that no run trains for hours and then cannot save), and locked, so that a second run given the
 * same folder stops at once instead of deleting the first one's files. The operating system
 * drops the lock when the process dies, however it dies.
 */
final class OutputFolder implements AutoCloseable {
    static final String LOCK_FILE = ".downhill.lock";
    private final Path folder, lockFile;
    /** The outermost folder this claim made (folder itself or an ancestor), or null where the folder existed. */
    private final Path made;
    private final FileChannel channel;
    private final FileLock lock;

    private OutputFolder(Path folder, Path lockFile, Path made, FileChannel channel, FileLock lock) {
        this.folder = folder;
        this.lockFile = lockFile;
        this.made = made;
        this.channel = channel;
        this.lock = lock;
    }

    static OutputFolder claim(Path folder) {
        Path made = null;
        for (Path p = folder.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) made = p;
        AtomicFile.checkFolderWritable(folder, "the model");
        Path lockFile = folder.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw inUse(folder);
            return new OutputFolder(folder, lockFile, made, channel, lock);
        } catch (OverlappingFileLockException e) {
            close(channel);
            throw inUse(folder);
        } catch (IOException e) {
            close(channel);
            throw new InputException(lockFile + ": cannot lock the output folder (" + AtomicFile.reason(e) + ")");
        } catch (InputException e) {
            close(channel);
            throw e;
        }
    }

    private static InputException inUse(Path folder) {
        return new InputException(folder + ": another downhill train is writing into this folder; give each run its own --out");
    }

    private static void close(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // it held nothing yet
        }
    }

    /**
     * Releases the lock. A folder this claim made and the run left empty (it stopped at a mistake in
     * its input) is removed with its lock file, so that a failed run leaves nothing behind; elsewhere
     * the lock file stays (deleting it could let two later runs lock two different files).
     */
    @Override
    public void close() {
        try {
            boolean empty = false;
            if (made != null) {
                try (var left = Files.list(folder)) {
                    empty = left.allMatch(lockFile::equals);
                }
            }
            if (empty) Files.deleteIfExists(lockFile);
            lock.release();
            channel.close();
            if (!empty) return;
            // the folder, then each parent this claim made, up to the outermost, while they are empty
            for (Path p = folder.toAbsolutePath(); p != null && p.startsWith(made); p = p.getParent()) {
                try (var left = Files.list(p)) {
                    if (left.findAny().isPresent()) break;
                }
                Files.delete(p);
            }
        } catch (IOException e) {
            // the lock goes with the process in any case; a leftover empty folder is harmless
        }
    }
}
