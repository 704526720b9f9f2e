package dev.millrace.storage.stream;

import dev.millrace.storage.DurableFiles;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The files and directories written since the last {@link #sync}. The stream queues run in
 * {@code SyncMode.NONE} (every entry is also in the AOF), so nothing reaches the disk until the page
 * cache writes it back; {@link #sync} fsyncs what was written, for a snapshot or a clean close. An
 * fsync of the file also writes the pages changed through Chronicle's mappings (one page cache).
 *
 * <p>Writers note a file once per {@link #epoch} (a new epoch begins at each sync), so marking costs
 * nothing on most appends. Not thread-safe: the execution thread.
 */
final class DirtyFiles {
    private final Set<Path> files = new LinkedHashSet<>();
    private final Set<Path> directories = new LinkedHashSet<>();
    private long epoch;

    long epoch() {
        return epoch;
    }

    void file(Path file) {
        files.add(file);
    }

    /** A directory whose entries changed (a file or directory created, deleted or renamed in it). */
    void directory(Path dir) {
        directories.add(dir);
    }

    /** Fsyncs the noted files, then the noted directories; files deleted since are skipped. */
    void sync() {
        takeSync().run();
    }

    /**
     * Starts a new epoch and returns the fsync of what was noted before it, to run on any thread
     * (a snapshot's, so the execution thread does not wait for the disk). A file deleted meanwhile is
     * skipped.
     */
    Runnable takeSync() {
        List<Path> fileList = new ArrayList<>(files);
        List<Path> dirList = new ArrayList<>(directories);
        files.clear();
        directories.clear();
        epoch++;
        return () -> {
            for (Path file : fileList) {
                fsyncIfPresent(file, DurableFiles::fsync);
            }
            for (Path dir : dirList) {
                fsyncIfPresent(dir, DurableFiles::fsyncDirectory);
            }
        };
    }

    private static void fsyncIfPresent(Path path, java.util.function.Consumer<Path> fsync) {
        try {
            if (Files.exists(path)) {
                fsync.accept(path);
            }
        } catch (UncheckedIOException e) {
            if (Files.exists(path)) {
                throw e;
            }
            // deleted between the check and the fsync (its log was retired): nothing to make durable
        }
    }
}
