package dev.millrace.storage.aof;

import dev.millrace.storage.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The cycle files of an AOF queue directory. Chronicle names each file after its cycle's start in
 * UTC with the roll cycle's pattern ({@code yyyyMMdd-HHmm'X'.cq4} for ten-minute cycles), and a
 * cycle number is that start divided by the cycle length. Stateless.
 */
final class QueueFiles {
    private static final String SUFFIX = ".cq4";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern(ChronicleEffectLog.ROLL_CYCLE.format());

    private QueueFiles() {
    }

    static List<Path> cycleFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        return DurableFiles.listFiles(dir).stream().filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList();
    }

    static int cycleOf(Path file) {
        String name = file.getFileName().toString();
        LocalDateTime start = LocalDateTime.parse(name.substring(0, name.length() - SUFFIX.length()), NAME);
        return (int) (start.toInstant(ZoneOffset.UTC).toEpochMilli() / ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
    }

    static Path newestCycleFile(Path dir) {
        Path newest = null;
        for (Path f : cycleFiles(dir)) {
            if (newest == null || cycleOf(f) > cycleOf(newest)) {
                newest = f;
            }
        }
        return newest;
    }

    /** Deletes the cycle files whose cycle is below {@code cycle}; returns how many. */
    static int deleteBelow(Path dir, int cycle) {
        int deleted = 0;
        for (Path f : cycleFiles(dir)) {
            if (cycleOf(f) < cycle) {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + f, e);
                }
                deleted++;
            }
        }
        if (deleted > 0) {
            DurableFiles.fsyncDirectory(dir);
        }
        return deleted;
    }
}
