package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.io.AtomicFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
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
    private final FileChannel channel;
    private final FileLock lock;

    private OutputFolder(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static OutputFolder claim(Path folder) {
        AtomicFile.checkFolderWritable(folder, "the model");
        Path lockFile = folder.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw inUse(folder);
            return new OutputFolder(channel, lock);
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

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process in any case
        }
    }
}
