package dev.millrace.storage.aof;

import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.Effect;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Child JVM for {@link ChronicleEffectLogTest}: appends {@code args[1]} records through the effect
 * log, then starts one more excerpt with the raw queue, fills it with non-zero junk, prints "TORN"
 * and waits to be killed in the middle of that write.
 */
public final class TornWriterMain {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            for (int i = 0; i < records; i++) {
                log.append(i, List.of(new Effect(0, new byte[][]{"SET".getBytes(StandardCharsets.UTF_8),
                        ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8)})));
            }
            log.sync();
        }
        ChronicleQueue queue = ChronicleEffectLog.builder(dir, System::currentTimeMillis).build();
        DocumentContext unfinished = queue.createAppender().writingDocument();
        byte[] junk = new byte[3000];
        new Random(7).nextBytes(junk);
        for (int i = 0; i < junk.length; i++) {
            junk[i] |= 1;
        }
        unfinished.wire().bytes().write(junk);
        System.out.println("TORN");
        System.out.flush();
        Thread.sleep(120_000);
        unfinished.close();
    }
}
