package dev.millrace.bench;

import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.storage.keyspace.ChronicleKeyStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keyspace reads and overwrites on a real {@link ChronicleKeyStore} (persisted Chronicle Maps in a
 * temporary directory, deleted afterwards) holding {@code keys} string keys named as redis-benchmark
 * names them, each with a {@code valueSize}-byte value: straight on the store, and through the
 * engine's {@link Keyspace} as GET and SET use it (lazy expiry check, hit counting, the access clock
 * stamp written back). Keys are visited in a fixed shuffled order, so consecutive operations do not
 * hit neighbouring entries.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The forked JVM needs the flags the launcher gives the server (the parent pom's chronicle.jvm.flags):
// Java 17's module exports and opens for Chronicle, and its analytics and announcer turned off.
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "-Ddisable.perf.info=true",
    "-Dchronicle.disk.monitor.disable=true"})
public class KeyspaceBenchmark {
    private static final int DATABASES = 16;
    private static final long NOW = 1_700_000_000_000L;

    @Param("100000")
    public int keys;

    @Param("3")
    public int valueSize;

    private Path dir;
    private ChronicleKeyStore store;
    private Keyspace keyspace;
    private byte[][] names;
    private byte[] record;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!"true".equals(System.getProperty("chronicle.analytics.disable"))) {
            throw new IllegalStateException("the Chronicle JVM flags did not reach this JVM");
        }
        dir = Files.createTempDirectory("millrace-jmh-keyspace");
        store = ChronicleKeyStore.open(dir, DATABASES);
        // Expiry never happens here (no key has a TTL), so no expiry effect is ever emitted.
        keyspace = new Keyspace(store, DATABASES, effect -> { });
        byte[] value = new byte[valueSize];
        Random random = new Random(42);
        random.nextBytes(value);
        record = new Record(ValueType.STRING, true, 0, Record.NO_EXPIRY, value).encode();
        names = new byte[keys][];
        for (int i = 0; i < keys; i++) {
            names[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            store.put(0, names[i], record);
        }
        for (int i = keys - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            byte[] swap = names[i];
            names[i] = names[j];
            names[j] = swap;
        }
        if (store.size(0) != keys) {
            throw new IllegalStateException("filled " + store.size(0) + " keys of " + keys);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private byte[] nextKey() {
        byte[] key = names[next];
        next = next + 1 == keys ? 0 : next + 1;
        return key;
    }

    @Benchmark
    public byte[] storeGet() {
        return store.get(0, nextKey());
    }

    @Benchmark
    public void storePut() {
        store.put(0, nextKey(), record);
    }

    @Benchmark
    public byte[] keyspaceLookupRead() {
        return keyspace.lookupRead(0, nextKey(), NOW);
    }

    @Benchmark
    public void keyspacePutEncoded() {
        keyspace.putEncoded(0, nextKey(), record);
    }
}
