package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.MutableClock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the stream logs on this machine (not a test: run by hand, figures go to
 * docs/storage-format.md "Stream logs"). Run with the Chronicle JVM flags and the test class path:
 * <pre>
 *   java $CHRONICLE_FLAGS -cp ... dev.millrace.storage.stream.ChronicleStreamLogsMeasure many 10000 4 /tmp/m1
 *   java $CHRONICLE_FLAGS -cp ... dev.millrace.storage.stream.ChronicleStreamLogsMeasure one 50000000 4 /tmp/m2
 * </pre>
 * {@code many N B dir}: N streams of 10 entries each, block size B MiB. {@code one N B dir}: one
 * stream of N small entries, a cycle file per million entries (the clock moves an hour). With
 * {@code -DdropCaches=true} ({@code many}, as root) the page cache is dropped before the logs are
 * opened again, as after a reboot.
 * The directory is deleted at the end.
 */
public final class ChronicleStreamLogsMeasure {
    public static void main(String[] args) throws Exception {
        long count = Long.parseLong(args[1]);
        long blockSize = Long.parseLong(args[2]) << 20;
        Path dir = Path.of(args[3]);
        Files.createDirectories(dir);
        try {
            if (args[0].equals("many")) {
                many((int) count, blockSize, dir);
            } else {
                one(count, blockSize, dir);
            }
        } finally {
            DurableFiles.deleteTree(dir);
        }
    }

    private static void many(int streams, long blockSize, Path dir) throws IOException {
        ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(Clock.SYSTEM).withBlockSize(blockSize);
        report("start");
        long cachedBefore = meminfo("Cached");
        long start = System.nanoTime();
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            for (long logId = 1; logId <= streams; logId++) {
                StreamLog log = logs.open(logId);
                for (long n = 1; n <= 10; n++) {
                    log.append(n, new StreamId(n, 0), fields(n));
                }
            }
            System.out.printf("%d streams x 10 entries, block %d MiB, %d open at most: %.1f s (%.2f ms per stream)%n",
                    streams, blockSize >> 20, settings.maxOpenLogs(), seconds(start), seconds(start) * 1000 / streams);
            report("after creating, " + logs.openLogCount() + " open");
            System.out.printf("page cache grew by %d MB%n", (meminfo("Cached") - cachedBefore) >> 10);
            long syncStart = System.nanoTime();
            logs.sync();
            System.out.printf("sync: %.1f s%n", seconds(syncStart));
        }
        System.out.printf("on disk: %s%n", du(dir));
        if (Boolean.getBoolean("dropCaches")) {
            // As after a reboot, or once the page cache has let the files go (needs root).
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            System.out.printf("page cache dropped: %d MB cached%n", meminfo("Cached") >> 10);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            Random random = new Random(1);
            int samples = 500;
            long[] nanos = new long[samples];
            for (int i = 0; i < samples; i++) {
                long logId = 1 + random.nextInt(streams);
                long t = System.nanoTime();
                StreamLog log = logs.open(logId);
                log.read(log.lastNumber());
                nanos[i] = System.nanoTime() - t;
            }
            System.out.printf("open of a log not yet open in this process (and a read): %s%n", percentiles(nanos));
            long readStart = System.nanoTime();
            for (long logId = 1; logId <= streams; logId++) {
                StreamLog log = logs.open(logId);
                for (long n = 1; n <= 10; n++) {
                    log.read(n);
                }
            }
            System.out.printf("reading every stream once more (%d open at most): %.1f s%n", settings.maxOpenLogs(), seconds(readStart));
            report("after reading, " + logs.openLogCount() + " open");
        }
        report("closed");
    }

    private static void one(long entries, long blockSize, Path dir) throws IOException {
        MutableClock clock = new MutableClock(1_800_000_000_000L);
        ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(clock).withBlockSize(blockSize);
        long perCycle = Long.getLong("perCycle", 1_000_000);
        report("start");
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            StreamLog log = logs.open(1);
            byte[][] fields = {"temp".getBytes(StandardCharsets.US_ASCII), new byte[8]};
            long start = System.nanoTime();
            long lap = start;
            for (long n = 1; n <= entries; n++) {
                fields[1][7] = (byte) n;
                log.append(n, new StreamId(1_800_000_000_000L + n / 10, n % 10), fields);
                if (n % perCycle == 0) {
                    clock.advance(settings.rollCycle().lengthInMillis());
                }
                if (n % 10_000_000 == 0) {
                    System.out.printf("  %,d appended: %.2f M/s over the last 10 M%n", n, 10.0 / seconds(lap));
                    lap = System.nanoTime();
                }
            }
            System.out.printf("%,d entries of %d bytes (StreamEntry.size) appended: %.1f s, %.2f M entries/s%n", entries,
                    StreamEntry.size(fields), seconds(start), entries / seconds(start) / 1e6);
            report("after appending");
            long syncStart = System.nanoTime();
            logs.sync();
            System.out.printf("sync: %.1f s%n", seconds(syncStart));
        }
        long bytes = duBytes(dir);
        System.out.printf("on disk: %s, %.1f bytes per entry%n", du(dir), (double) bytes / entries);
        for (int attempt = 0; attempt < 3; attempt++) {
            long start = System.nanoTime();
            try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
                StreamLog log = logs.open(1);
                long last = log.lastNumber();
                System.out.printf("open of the %,d-entry log in a new instance: %.1f ms (entries %d..%d)%n",
                        entries, (System.nanoTime() - start) / 1e6, log.firstNumber(), last);
                if (attempt < 2) {
                    continue;
                }
                Random random = new Random(3);
                int samples = 200_000;
                for (int round = 0; round < 2; round++) {
                    long[] nanos = new long[samples];
                    long[] faultsBefore = pageFaults();
                    for (int i = 0; i < samples; i++) {
                        long n = 1 + (long) (random.nextDouble() * last);
                        long t = System.nanoTime();
                        log.id(n);
                        nanos[i] = System.nanoTime() - t;
                    }
                    long[] faults = pageFaults();
                    System.out.printf("random id(n), round %d: %s; page faults %d minor, %d major%n", round + 1,
                            percentiles(nanos), faults[0] - faultsBefore[0], faults[1] - faultsBefore[1]);
                }
                long seqStart = System.nanoTime();
                long seq = Math.min(last, 5_000_000);
                for (long n = 1; n <= seq; n++) {
                    log.read(n);
                }
                System.out.printf("sequential read(n): %.2f M entries/s%n", seq / seconds(seqStart) / 1e6);
                long backStart = System.nanoTime();
                for (long n = last; n > last - seq; n--) {
                    log.read(n);
                }
                System.out.printf("backward read(n): %.2f M entries/s%n", seq / seconds(backStart) / 1e6);
                report("after reading");
            }
        }
    }

    /** Minor and major page faults of this process so far (/proc/self/stat fields 10 and 12). */
    private static long[] pageFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(fields[7]), Long.parseLong(fields[9])};
    }

    private static byte[][] fields(long n) {
        return new byte[][]{"sensor".getBytes(StandardCharsets.US_ASCII), ("reading-" + n).getBytes(StandardCharsets.US_ASCII)};
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("mean %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us (%d samples)",
                Arrays.stream(sorted).average().orElse(0) / 1e3, sorted[sorted.length / 2] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3, sorted[sorted.length - 1] / 1e3, sorted.length);
    }

    private static void report(String when) throws IOException {
        long fds;
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            fds = list.count();
        }
        long maps = Files.readAllLines(Path.of("/proc/self/maps")).size();
        System.out.printf("[%s] fds %d, mappings %d, VmRSS %d MB (anon %d MB, file %d MB), VmSize %d MB%n", when, fds, maps,
                status("VmRSS") >> 10, status("RssAnon") >> 10, status("RssFile") >> 10, status("VmSize") >> 10);
    }

    /** A /proc/self/status field in kB. */
    private static long status(String field) throws IOException {
        return kiloBytes(Path.of("/proc/self/status"), field);
    }

    /** A /proc/meminfo field in kB. */
    private static long meminfo(String field) throws IOException {
        return kiloBytes(Path.of("/proc/meminfo"), field);
    }

    private static long kiloBytes(Path file, String field) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static String du(Path dir) throws IOException {
        return duBytes(dir) / (1 << 20) + " MB allocated, " + apparentBytes(dir) / (1 << 20) + " MB apparent";
    }

    /** Allocated bytes (the files are sparse), from du. */
    private static long duBytes(Path dir) throws IOException {
        Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        return Long.parseLong(out.split("\\s+")[0]);
    }

    private static long apparentBytes(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
