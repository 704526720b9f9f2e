package dev.millrace.storage;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Child JVM for {@link CrashRecoveryTest}: opens (and so recovers) the storage in {@code args[0]},
 * then writes forever from write number {@code args[1]} on, as the engine would with
 * {@code appendfsync always}: apply each write to the keyspace, append its effect, and after a batch
 * sync the log once (group commit) and only then print {@code ACK n} - every write up to n is
 * acknowledged. Starts a background snapshot now and then. Runs until killed.
 */
public final class CrashWriterMain {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long next = Long.parseLong(args[1]);
        ServerConfig config = new ServerConfig();
        config.set("appendonly", "yes", true);
        ChronicleStorage storage = ChronicleStorage.open(dir, config, SimpleReplayer::new);
        SimpleReplayer live = new SimpleReplayer(storage.keyStore());
        long replayed = storage.recover(live);
        System.out.println("READY " + replayed);
        System.out.flush();
        Random random = new Random(next);
        for (int batch = 0; ; batch++) {
            int size = 1 + random.nextInt(40);
            for (int j = 0; j < size; j++) {
                List<Effect> effects = List.of(write(next));
                live.replay(effects);
                storage.effectLog().append(System.currentTimeMillis(), effects);
                next++;
            }
            storage.effectLog().sync();
            System.out.println("ACK " + (next - 1));
            if (batch % 300 == 299) {
                storage.snapshots().startBackgroundSave();
            }
        }
    }

    /** Write number i: every tenth deletes the key written five writes earlier, the others set key i. */
    static Effect write(long i) {
        if (i % 10 == 9) {
            return new Effect(0, new byte[][]{bytes("DEL"), key(i - 5)});
        }
        return new Effect((int) (i % 4), new byte[][]{bytes("SET"), key(i), value(i)});
    }

    static int db(long i) {
        return (int) (i % 4);
    }

    static boolean isSet(long i) {
        return i % 10 != 9;
    }

    /** The write that deletes key i, or -1 if none does. */
    static long deletedBy(long i) {
        return i % 10 == 4 && db(i) == 0 ? i + 5 : -1;
    }

    static byte[] key(long i) {
        return bytes("key:" + i);
    }

    /** Mostly small values; every 97th is 100 KB, so chunked records are killed mid-write too. */
    static byte[] value(long i) {
        byte[] v = new byte[i % 97 == 0 ? 100_000 : 16 + (int) (i % 200)];
        for (int k = 0; k < v.length; k++) {
            v[k] = (byte) (i * 31 + k);
        }
        return v;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
