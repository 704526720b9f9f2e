package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCommandsTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void dbsizeCountsTheSelectedDatabase(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals(0L, h.run("DBSIZE"));
        TestKeys.putString(h, 0, "a", "1");
        TestKeys.putString(h, 0, "b", "2");
        TestKeys.putString(h, 1, "c", "3");
        assertEquals(2L, h.run("DBSIZE"));
        h.run("SELECT", "1");
        assertEquals(1L, h.run("DBSIZE"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void timeIsSecondsAndMicrosecondsOfTheClock(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.time.set(1_700_000_123_456L);
        assertEquals(List.of("1700000123", "456000"), h.run("TIME"));
        assertEquals(err("ERR wrong number of arguments for 'time' command"), h.run("TIME", "x"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void flushdbEmptiesOneDatabaseAndIsAlwaysLogged(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        TestKeys.putString(h, 0, "a", "1");
        TestKeys.putString(h, 1, "b", "1");
        assertEquals("OK", h.run("FLUSHDB"));
        assertEquals(0L, h.engine.keyspace().size(0));
        assertEquals(1L, h.engine.keyspace().size(1));
        assertEquals("OK", h.run("FLUSHDB", "ASYNC"));
        assertEquals("OK", h.run("flushdb", "sync"));
        assertEquals(List.of("0:FLUSHDB", "0:FLUSHDB", "0:FLUSHDB"), h.effects());
        assertEquals(err("ERR syntax error"), h.run("FLUSHDB", "foo"));
        assertEquals(err("ERR syntax error"), h.run("FLUSHDB", "ASYNC", "x"));
    }

    @Test
    void flushallEmptiesEveryDatabase() {
        EngineHarness h = new EngineHarness();
        TestKeys.putString(h, 0, "a", "1");
        TestKeys.putString(h, 7, "b", "1");
        assertEquals("OK", h.run("FLUSHALL", "ASYNC"));
        assertEquals(0L, h.engine.keyspace().size(0));
        assertEquals(0L, h.engine.keyspace().size(7));
        assertEquals(List.of("0:FLUSHALL"), h.effects());
        assertEquals(1L, h.engine.keyspace().dirty(), "save rules are on by default: a snapshot restarted the count");
        assertEquals(err("ERR syntax error"), h.run("FLUSHALL", "ASYNC", "x"));
    }

    @Test
    void swapdbExchangesDatabasesAndIsLogged() {
        EngineHarness h = new EngineHarness();
        TestKeys.putString(h, 0, "a", "1");
        assertEquals("OK", h.run("SWAPDB", "0", "3"));
        assertEquals(0L, h.engine.keyspace().size(0));
        assertEquals(1L, h.engine.keyspace().size(3));
        assertEquals(List.of("0:SWAPDB 0 3"), h.effects());
        assertEquals(err("ERR invalid first DB index"), h.run("SWAPDB", "x", "0"));
        assertEquals(err("ERR invalid second DB index"), h.run("SWAPDB", "0", "x"));
        assertEquals(err("ERR DB index is out of range"), h.run("SWAPDB", "0", "16"));
        assertEquals(err("ERR DB index is out of range"), h.run("SWAPDB", "-1", "0"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void saveAndBackgroundSaves(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        TestKeys.putString(h, 0, "a", "1");
        assertEquals(1L, h.engine.keyspace().dirty());
        assertEquals("OK", h.run("SAVE"));
        assertEquals(0L, h.engine.keyspace().dirty());
        assertEquals(h.engine.snapshots().lastSaveUnixSeconds(), h.run("LASTSAVE"));
        assertEquals("Background saving started", h.run("BGSAVE"));
        assertEquals("Background saving started", h.run("BGSAVE", "SCHEDULE"));
        assertEquals(err("ERR syntax error"), h.run("BGSAVE", "foo"));
        assertEquals("Background append only file rewriting started", h.run("BGREWRITEAOF"));
    }

    @Test
    void shutdownSavesUnlessToldNotToThenStops() {
        ServerConfig config = new ServerConfig();
        config.set("save", "", true);
        EngineHarness h = new EngineHarness(2, config);
        AtomicInteger stops = new AtomicInteger();
        h.engine.onShutdown(stops::incrementAndGet);
        assertEquals(err("ERR syntax error"), h.run("SHUTDOWN", "NOSAVE", "SAVE"));
        assertEquals(err("ERR syntax error"), h.run("SHUTDOWN", "ABORT", "NOW"));
        assertEquals(err("ERR syntax error"), h.run("SHUTDOWN", "LATER"));
        assertEquals(err("ERR No shutdown in progress."), h.run("SHUTDOWN", "ABORT"));
        assertEquals(0, stops.get());
        long before = h.engine.snapshots().lastSaveUnixSeconds();
        dev.millrace.engine.testing.ReplyCapture capture = new dev.millrace.engine.testing.ReplyCapture(2);
        h.engine.execute(h.session, new byte[][]{"SHUTDOWN".getBytes(), "SAVE".getBytes(), "NOW".getBytes()}, capture);
        assertTrue(capture.replies().isEmpty(), "a successful shutdown does not reply");
        assertEquals(1, stops.get());
        assertTrue(h.engine.snapshots().lastSaveUnixSeconds() >= before);
    }

    @Test
    void writeCommandsAreRefusedBeforeAuthentication() {
        ServerConfig config = new ServerConfig();
        config.set("requirepass", "pw", true);
        EngineHarness h = new EngineHarness(2, config);
        assertEquals(err("NOAUTH Authentication required."), h.run("FLUSHALL"));
        assertFalse(h.effects().contains("0:FLUSHALL"));
    }
}
