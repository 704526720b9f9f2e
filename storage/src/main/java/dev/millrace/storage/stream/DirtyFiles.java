package dev.millrace.storage.stream;

import dev.millrace.storage.DurableFiles;

import java.nio.file.Files;
import java.nio.file.Path;
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
        for (Path file : files) {
            if (Files.exists(file)) {
                DurableFiles.fsync(file);
            }
        }
        for (Path dir : directories) {
            if (Files.isDirectory(dir)) {
                DurableFiles.fsyncDirectory(dir);
            }
        }
        files.clear();
        directories.clear();
        epoch++;
    }
}
