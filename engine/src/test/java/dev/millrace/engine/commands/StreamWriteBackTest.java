package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.StoreContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A stream's record is written back once per batch and its decoded state reused by the batch's next
 * command on it (Keyspace's RecordWriteBack): pipelined commands must behave exactly as the same
 * commands one batch each, for every command that reads or changes the key in between, and the store
 * must hold the same records once the batch ends.
 */
class StreamWriteBackTest {

    /** What a generated step may do to two stream keys, a string key and the database. */
    private static List<String> step(Random random) {
        String key = random.nextBoolean() ? "s1" : "s2";
        String other = key.equals("s1") ? "s2" : "s1";
        return switch (random.nextInt(22)) {
            case 0, 1, 2, 3, 4, 5 -> List.of("XADD", key, "*", "f", "v" + random.nextInt(100));
            case 6 -> List.of("XADD", key, "MAXLEN", "3", "*", "f", "v");
            case 7 -> List.of("XADD", key, "NOMKSTREAM", "*", "f", "v");
            case 8 -> List.of("XLEN", key);
            case 9 -> List.of("XRANGE", key, "-", "+");
            case 10 -> List.of("XREVRANGE", key, "+", "-", "COUNT", "2");
            case 11 -> List.of("DEL", key);
            case 12 -> List.of("EXPIRE", key, "100");
            case 13 -> List.of("PERSIST", key);
            case 14 -> List.of("RENAME", key, other);
            case 15 -> List.of("COPY", key, other, "REPLACE");
            case 16 -> List.of("XGROUP", "CREATE", key, "g", "0", "MKSTREAM");
            case 17 -> List.of("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", key, ">");
            case 18 -> List.of("XTRIM", key, "MAXLEN", "2");
            case 19 -> List.of("SET", key, "a string now");
            case 20 -> List.of("DBSIZE");
            default -> List.of("XINFO", "STREAM", key);
        };
    }

    private static ServerConfig withInlineLimit(String entries) {
        ServerConfig config = new ServerConfig();
        config.set("stream-inline-max-entries", entries, true);
        return config;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void pipelinedCommandsBehaveAsOneBatchEach(int seed) {
        Random random = new Random(seed);
        // Entries in the keyspace (the default), in the log from the start, or moving there mid-way.
        String inlineLimit = List.of("128", "0", "3").get(seed % 3);
        EngineHarness oneEach = new EngineHarness(2, withInlineLimit(inlineLimit));
        EngineHarness pipelined = new EngineHarness(2, withInlineLimit(inlineLimit));
        for (int round = 0; round < 40; round++) {
            List<List<String>> batch = new ArrayList<>();
            for (int i = random.nextInt(12); i >= 0; i--) {
                batch.add(step(random));
            }
            List<Object> expected = new ArrayList<>();
            for (List<String> command : batch) {
                expected.add(oneEach.run(command.toArray(String[]::new)));
            }
            assertEquals(expected, pipelined.runBatch(batch), "replies of batch " + batch);
            Map<String, byte[]> want = StoreContents.of(oneEach.store(), 2);
            Map<String, byte[]> got = StoreContents.of(pipelined.store(), 2);
            assertEquals(want.keySet(), got.keySet(), "keys after batch " + batch);
            for (String key : want.keySet()) {
                assertArrayEquals(want.get(key), got.get(key), "record of " + key + " after batch " + batch);
            }
            assertEquals(oneEach.store().pageCount(), pipelined.store().pageCount(), "pages after batch " + batch);
            if (random.nextInt(4) == 0) {
                oneEach.advance(1500);
                pipelined.advance(1500);
            }
        }
        assertEquals(oneEach.effects(), pipelined.effects());
    }

    @Test
    void aBatchOfAddsLeavesTheRecordAReplayOfItsEffectsMakes() {
        EngineHarness h = new EngineHarness();
        h.run("XADD", "s", "1-1", "f", "v");
        List<List<String>> batch = new ArrayList<>();
        for (int i = 2; i <= 100; i++) {
            batch.add(List.of("XADD", "s", "1-" + i, "f", "v"));
            batch.add(List.of("XLEN", "s"));
        }
        List<Object> replies = h.runBatch(batch);
        assertEquals("1-100", replies.get(replies.size() - 2));
        assertEquals(100L, replies.get(replies.size() - 1));
        byte[] stored = h.store().get(0, "s".getBytes());
        assertNotNull(stored);
        EngineHarness replayed = new EngineHarness();
        for (String effect : h.effects()) {
            replayed.run(effect.substring(2).split(" "));
        }
        assertArrayEquals(stored, replayed.store().get(0, "s".getBytes()),
                "a replay of the effects makes the same record");
        assertEquals(h.run("XINFO", "STREAM", "s"), replayed.run("XINFO", "STREAM", "s"));
    }
}
