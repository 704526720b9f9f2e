package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Child JVM for {@link ChronicleStreamLogTornTailTest}. {@code args[0]} the streams directory.
 * <ul>
 *   <li>{@code loop}: opens log 1 (repairing what a previous child left), prints {@code READY last},
 *       then appends entry after entry ({@link #entry} decides their content) and prints
 *       {@code ACK n} once append n returned, until killed.</li>
 *   <li>{@code torn}: appends {@code args[2]} entries, closes, then starts one more excerpt on the raw
 *       queue, fills it with junk, prints {@code TORN} and waits to be killed in that write.</li>
 * </ul>
 */
public final class StreamWriterMain {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(Clock.SYSTEM);
        if (args[1].equals("torn")) {
            try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
                StreamLog log = logs.open(1);
                for (long n = log.lastNumber() + 1, end = n + Long.parseLong(args[2]); n < end; n++) {
                    log.append(n, id(n), entry(n));
                }
            }
            ChronicleQueue queue = ChronicleQueue.singleBuilder(dir.resolve(ChronicleStreamLog.hex(1)))
                    .rollCycle(settings.rollCycle()).blockSize(settings.blockSize()).build();
            DocumentContext unfinished = queue.createAppender().writingDocument();
            byte[] junk = new byte[50_000];
            new Random(7).nextBytes(junk);
            for (int i = 0; i < junk.length; i++) {
                junk[i] |= 1;
            }
            unfinished.wire().bytes().write(junk);
            System.out.println("TORN");
            System.out.flush();
            Thread.sleep(120_000);
            unfinished.close();
            return;
        }
        ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings);
        StreamLog log = logs.open(1);
        long n = log.lastNumber() + 1;
        System.out.println("READY " + (n - 1));
        System.out.flush();
        while (true) {
            log.append(n, id(n), entry(n));
            System.out.println("ACK " + n);
            n++;
        }
    }

    static StreamId id(long n) {
        return new StreamId(n * 10, n % 5);
    }

    /** Entry n's fields: mostly small, every 13th about 150 KB, so that kills land inside writes too. */
    static byte[][] entry(long n) {
        byte[] payload = new byte[n % 13 == 0 ? 150_000 + (int) (n % 1000) : (int) (n % 200)];
        Arrays.fill(payload, (byte) n);
        if (payload.length > 0) {
            payload[payload.length - 1] = (byte) ~n;
        }
        return new byte[][]{"n".getBytes(), Long.toString(n).getBytes(), "payload".getBytes(), payload};
    }
}
