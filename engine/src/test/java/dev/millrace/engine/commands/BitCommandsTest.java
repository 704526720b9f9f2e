package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.commands.StoredRecords.expireAt;
import static dev.millrace.engine.commands.StoredRecords.raw;
import static dev.millrace.engine.commands.StoredRecords.record;
import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bit commands beyond their replies (GoldenRepliesTest checks those against Redis 7.0.15): what they
 * log, dirty counts, TTLs, encoding, large bitmaps and replay. Checked against a real redis-server
 * 7.0.15 (INFO rdb_changes_since_last_save and its AOF): a SETBIT that changes no bit and grows
 * nothing is no change and is not propagated; a SETBIT that grows the string is, even to write a 0.
 */
class BitCommandsTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void setbitLogsItselfOnlyWhenItChangesSomething() {
        assertEquals(0L, h.run("SETBIT", "b", "7", "1"));
        assertEquals(1L, h.run("SETBIT", "b", "7", "1"));
        assertEquals(0L, h.run("SETBIT", "b", "6", "0"));
        assertEquals(0L, h.run("SETBIT", "b", "20", "0"));
        assertEquals(List.of("0:SETBIT b 7 1", "0:SETBIT b 20 0"), h.effects());
        assertEquals("\u0001\u0000\u0000", h.run("GET", "b"));
    }

    @Test
    void aSetbitThatChangesNothingStillLeavesTheValueRawWithoutCountingAChange() {
        h.run("SET", "k", "1");
        assertFalse(raw(h, "k"));
        long dirty = h.engine.keyspace().dirty();
        assertEquals(0L, h.run("SETBIT", "k", "0", "0"));
        assertTrue(raw(h, "k"), "Redis unshares the string before looking at the bit");
        assertEquals(dirty, h.engine.keyspace().dirty());
        assertEquals(List.of("0:SET k 1"), h.effects());
    }

    @Test
    void bitWritesKeepTheTtlAndMakeTheValueRaw() {
        h.run("SET", "k", "a", "PX", "5000");
        long expiry = expireAt(h, "k");
        h.run("SETBIT", "k", "100", "1");
        h.run("BITFIELD", "k", "SET", "u8", "0", "66");
        assertEquals(expiry, expireAt(h, "k"));
        assertTrue(raw(h, "k"));
        assertEquals("B", h.run("GETRANGE", "k", "0", "0"));
    }

    @Test
    void bitopReplacesTheDestinationAndItsTtl() {
        h.run("SET", "a", "\u00f0");
        h.run("SET", "dest", "old", "EX", "100");
        assertEquals(1L, h.run("BITOP", "NOT", "dest", "a"));
        assertEquals("\u000f", h.run("GET", "dest"));
        assertEquals(Record.NO_EXPIRY, expireAt(h, "dest"));
        assertTrue(raw(h, "dest"));
    }

    @Test
    void bitopWithOnlyEmptySourcesDeletesTheDestination() {
        h.run("SET", "dest", "old");
        h.run("SET", "empty", "");
        h.logged.clear();
        assertEquals(0L, h.run("BITOP", "AND", "dest", "missing", "empty"));
        assertNull(h.run("GET", "dest"));
        assertEquals(List.of("0:BITOP AND dest missing empty"), h.effects());
        assertEquals(0L, h.run("BITOP", "OR", "dest", "missing"));
        assertEquals(List.of("0:BITOP AND dest missing empty"), h.effects(), "nothing to delete: nothing logged");
    }

    @Test
    void bitfieldReadsLogNothingAndWritesCountEachChange() {
        h.run("BITFIELD", "k", "GET", "u8", "0");
        h.run("BITFIELD_RO", "k", "GET", "u8", "0");
        assertEquals(List.of(), h.effects());
        assertNull(record(h, "k"));
        long dirty = h.engine.keyspace().dirty();
        assertEquals(Arrays.asList(0L, 0L, 5L), h.run("BITFIELD", "k", "SET", "u8", "0", "7", "SET", "u8", "8", "9",
                "INCRBY", "u4", "0", "5"));
        assertEquals(dirty + 3, h.engine.keyspace().dirty(), "Redis adds one change per operation that wrote");
        assertEquals(List.of("0:BITFIELD k SET u8 0 7 SET u8 8 9 INCRBY u4 0 5"), h.effects());
        h.logged.clear();
        assertEquals(List.of(5L), h.run("BITFIELD", "k", "SET", "u4", "0", "5"));
        assertEquals(List.of(), h.effects(), "writing the value already there is no change");
    }

    @Test
    void aBitfieldWhoseWritesAllFailStillCreatesTheKeyAndLogsIt() {
        // Redis 7.0.15 creates the zeroed key here but propagates nothing, so its replicas and AOF
        // miss the key; the engine logs the command so that replay rebuilds exactly this state
        assertEquals(Arrays.asList((Object) null),
                h.run("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300"));
        assertEquals("\0\0", h.run("GET", "k"));
        assertEquals(List.of("0:BITFIELD k OVERFLOW FAIL INCRBY u8 8 300"), h.effects());
        assertEquals("\0\0", replayed(h, 0).run("GET", "k"));
    }

    @Test
    void bitfieldRoRefusesWritesBeforeTouchingTheKey() {
        assertEquals(err("ERR BITFIELD_RO only supports the GET subcommand"),
                h.run("BITFIELD_RO", "k", "GET", "u8", "0", "SET", "u8", "0", "1"));
        assertNull(record(h, "k"));
    }

    @Test
    void bitmapsOfSeveralMegabytes() {
        assertEquals(0L, h.run("SETBIT", "big", "40000000", "1"));
        assertEquals(5_000_001L, h.run("STRLEN", "big"));
        assertEquals(1L, h.run("BITCOUNT", "big"));
        assertEquals(40_000_000L, h.run("BITPOS", "big", "1"));
        assertEquals(0L, h.run("BITPOS", "big", "0"));
        assertEquals(1L, h.run("GETBIT", "big", "40000000"));
        assertEquals(5_000_001L, h.run("BITOP", "NOT", "inverted", "big"));
        assertEquals(40_000_007L, h.run("BITCOUNT", "inverted"));
        assertEquals(40_000_000L, h.run("BITPOS", "inverted", "0"));
        assertEquals(40_000_000L, h.run("BITPOS", "inverted", "0", "4000000", "-1"));
        assertEquals(40_000_000L, h.run("BITPOS", "inverted", "0", "-1", "-1"));
        assertEquals(-1L, h.run("BITPOS", "inverted", "0", "-2", "-2"));
        assertEquals(5_000_001L, h.run("BITOP", "AND", "both", "big", "inverted"));
        assertEquals(0L, h.run("BITCOUNT", "both"));
        assertEquals(List.of(1L), h.run("BITFIELD", "big", "GET", "u1", "40000000"));
        assertEquals(16L, h.run("BITCOUNT", "inverted", "39999990", "40000006", "BIT"));
    }

    @Test
    void bitOffsetsAreLimitedByProtoMaxBulkLen() {
        h.config.set("proto-max-bulk-len", "1mb", false);
        assertEquals(err("ERR bit offset is not an integer or out of range"), h.run("SETBIT", "k", "8388608", "1"));
        assertEquals(0L, h.run("SETBIT", "k", "8388607", "1"));
        assertEquals(1L << 20, h.run("STRLEN", "k"));
        assertEquals(err("ERR bit offset is not an integer or out of range"),
                h.run("BITFIELD", "k", "GET", "u8", "#1048576"));
    }

    @Test
    void replayingBitCommandsRebuildsTheSameValues() {
        h.run("SETBIT", "a", "3", "1");
        h.run("SETBIT", "a", "3", "1");
        h.run("SET", "b", "hello", "EX", "100");
        h.run("SETBIT", "b", "60", "1");
        h.run("BITOP", "XOR", "c", "a", "b");
        h.run("BITFIELD", "d", "SET", "i5", "#3", "-7", "OVERFLOW", "SAT", "INCRBY", "i5", "#3", "-100");
        h.run("BITFIELD", "d", "OVERFLOW", "WRAP", "INCRBY", "u3", "1", "100");
        EngineHarness copy = replayed(h, 0);
        for (String key : List.of("a", "b", "c", "d")) {
            Record original = record(h, key);
            Record again = record(copy, key);
            assertArrayEquals(original.payload(), again.payload(), key);
            assertEquals(original.expireAtMillis(), again.expireAtMillis(), key);
            assertEquals(original.raw(), again.raw(), key);
        }
    }

    @Test
    void wrongTypeComesAfterArgumentErrors() {
        h.store().put(0, "list".getBytes(StandardCharsets.ISO_8859_1),
                new Record(dev.millrace.engine.keyspace.ValueType.LIST, false, 0, Record.NO_EXPIRY, new byte[0]).encode());
        assertEquals(err("ERR bit offset is not an integer or out of range"), h.run("SETBIT", "list", "-1", "1"));
        assertEquals(err("ERR bit is not an integer or out of range"), h.run("SETBIT", "list", "0", "2"));
        assertEquals(err("WRONGTYPE Operation against a key holding the wrong kind of value"), h.run("SETBIT", "list", "0", "1"));
        assertEquals(err("ERR The bit argument must be 1 or 0."), h.run("BITPOS", "list", "2"));
        assertEquals(err("WRONGTYPE Operation against a key holding the wrong kind of value"), h.run("BITCOUNT", "list", "x", "y"));
        assertEquals(err("ERR syntax error"), h.run("BITFIELD", "list", "NOPE"));
        assertEquals(err("WRONGTYPE Operation against a key holding the wrong kind of value"), h.run("BITFIELD", "list", "GET", "u8", "0"));
    }
}
