package dev.millrace.storage.queue;

import dev.millrace.storage.DurableFiles;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cycle files of a queue directory. Chronicle names each file after its cycle's start in UTC with
 * the roll cycle's pattern ({@code yyyyMMdd-HHmm'X'.cq4} for ten-minute cycles, {@code yyyyMMdd-HH'F'.cq4}
 * for fast hourly ones), and a cycle number is that start divided by the cycle length. Stateless;
 * thread-safe.
 */
public final class QueueFiles {
    private static final String SUFFIX = ".cq4";
    private static final Map<String, DateTimeFormatter> FORMATS = new ConcurrentHashMap<>();

    private QueueFiles() {
    }

    public static List<Path> cycleFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        return DurableFiles.listFiles(dir).stream().filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList();
    }

    public static int cycleOf(Path file, RollCycle rollCycle) {
        String name = file.getFileName().toString();
        LocalDateTime start = LocalDateTime.parse(name.substring(0, name.length() - SUFFIX.length()), format(rollCycle));
        return (int) (start.toInstant(ZoneOffset.UTC).toEpochMilli() / rollCycle.lengthInMillis());
    }

    /** The cycles that have a file in {@code dir}, ascending; read from the directory, not Chronicle's cached listing. */
    public static int[] cycles(Path dir, RollCycle rollCycle) {
        return cycleFiles(dir).stream().mapToInt(f -> cycleOf(f, rollCycle)).sorted().toArray();
    }

    private static DateTimeFormatter format(RollCycle rollCycle) {
        // Daily and hourly patterns name no minutes (or hours): those fields are 0.
        return FORMATS.computeIfAbsent(rollCycle.format(), pattern -> new DateTimeFormatterBuilder().appendPattern(pattern)
                .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                .toFormatter());
    }

    public static Path newestCycleFile(Path dir, RollCycle rollCycle) {
        Path newest = null;
        for (Path f : cycleFiles(dir)) {
            if (newest == null || cycleOf(f, rollCycle) > cycleOf(newest, rollCycle)) {
                newest = f;
            }
        }
        return newest;
    }

    /** Deletes the cycle files whose cycle is below {@code cycle} and fsyncs the directory; returns how many. */
    public static int deleteBelow(Path dir, RollCycle rollCycle, int cycle) {
        int deleted = 0;
        for (Path f : cycleFiles(dir)) {
            if (cycleOf(f, rollCycle) < cycle) {
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
