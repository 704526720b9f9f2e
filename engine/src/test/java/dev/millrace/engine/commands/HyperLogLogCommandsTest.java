package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.types.Hashing;
import dev.millrace.engine.types.HyperLogLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.millrace.engine.commands.StoredRecords.expireAt;
import static dev.millrace.engine.commands.StoredRecords.raw;
import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HyperLogLog commands beyond the replies the golden file checks against Redis 7.0.15: every error
 * in both protocols, what they log and count as changes (checked against a real redis-server 7.0.15's
 * INFO rdb_changes_since_last_save and AOF: a PFCOUNT that refreshes the cache is propagated, a PFADD
 * that changes no register is not, PFDEBUG GETREG/TODENSE are when they convert), TTLs, the raw
 * encoding, and replay to the same bytes.
 */
class HyperLogLogCommandsTest {
    private static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    private static final String CORRUPTED = "INVALIDOBJ Corrupted HLL object detected";
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    private final EngineHarness h = new EngineHarness();

    // ---- replies and errors, RESP2 and RESP3 -----------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void repliesInBothProtocols(int protocol) {
        EngineHarness p = new EngineHarness(protocol);
        assertEquals(1L, p.run("PFADD", "h", "a", "b", "c"));
        assertEquals(0L, p.run("PFADD", "h", "a"));
        assertEquals(1L, p.run("PFADD", "empty"));
        assertEquals(0L, p.run("PFADD", "empty"));
        assertEquals(3L, p.run("PFCOUNT", "h"));
        assertEquals(3L, p.run("PFCOUNT", "h"), "from the cache");
        assertEquals(0L, p.run("PFCOUNT", "missing"));
        assertEquals(3L, p.run("PFCOUNT", "h", "missing", "empty"));
        assertEquals("OK", p.run("PFMERGE", "d", "h", "missing"));
        assertEquals(3L, p.run("PFCOUNT", "d"));
        assertEquals("sparse", p.run("PFDEBUG", "ENCODING", "h"));
        assertEquals("Z:16384", p.run("PFDEBUG", "DECODE", "empty"));
        List<?> registers = (List<?>) p.run("PFDEBUG", "GETREG", "h");
        assertEquals(HyperLogLog.REGISTERS, registers.size());
        assertEquals(3, registers.stream().filter(r -> !r.equals(0L)).count());
        assertEquals("dense", p.run("pfdebug", "encoding", "h"));
        assertEquals(0L, p.run("PFDEBUG", "TODENSE", "h"));
        assertEquals(1L, p.run("PFDEBUG", "ToDense", "d"));
        assertEquals(3L, p.run("PFCOUNT", "d", "h"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyErrorInBothProtocols(int protocol) {
        EngineHarness p = new EngineHarness(protocol);
        p.store().put(0, bytes("list"), new Record(ValueType.LIST, false, 0, Record.NO_EXPIRY, new byte[0]).encode());
        p.run("SET", "s", "not a hyperloglog");
        p.run("SET", "corrupted", latin1(sparse(xzero(16000))));
        p.run("PFADD", "h", "a");

        for (String[] command : List.of(new String[]{"PFADD", "list", "a"}, new String[]{"PFCOUNT", "list"},
                new String[]{"PFCOUNT", "h", "list"}, new String[]{"PFMERGE", "list", "h"}, new String[]{"PFMERGE", "h", "list"},
                new String[]{"PFDEBUG", "ENCODING", "list"})) {
            assertEquals(err(WRONGTYPE), p.run(command), String.join(" ", command));
        }
        for (String[] command : List.of(new String[]{"PFADD", "s", "a"}, new String[]{"PFCOUNT", "s"},
                new String[]{"PFCOUNT", "h", "s"}, new String[]{"PFMERGE", "s", "h"}, new String[]{"PFMERGE", "h", "s"},
                new String[]{"PFDEBUG", "GETREG", "s"})) {
            assertEquals(err(NOT_HLL), p.run(command), String.join(" ", command));
        }
        for (String[] command : List.of(new String[]{"PFCOUNT", "corrupted"}, new String[]{"PFCOUNT", "h", "corrupted"},
                new String[]{"PFMERGE", "h", "corrupted"}, new String[]{"PFDEBUG", "TODENSE", "corrupted"},
                new String[]{"PFDEBUG", "GETREG", "corrupted"})) {
            assertEquals(err(CORRUPTED), p.run(command), String.join(" ", command));
        }
        assertEquals(err("ERR The specified key does not exist"), p.run("PFDEBUG", "GETREG", "missing"));
        assertEquals(err("ERR The specified key does not exist"), p.run("PFDEBUG", "nope", "missing"));
        assertEquals(err("ERR Unknown PFDEBUG subcommand 'nope'"), p.run("PFDEBUG", "nope", "h"));
        assertEquals(err("ERR Unknown PFDEBUG subcommand 'a'"), p.run("PFDEBUG", "a\0b", "h"), "the name ends at a NUL");
        assertEquals(err("ERR HLL encoding is not sparse"), p.run("PFDEBUG", "DECODE", dense(p)));
        assertEquals(err("ERR wrong number of arguments for 'pfadd' command"), p.run("PFADD"));
        assertEquals(err("ERR wrong number of arguments for 'pfcount' command"), p.run("PFCOUNT"));
        assertEquals(err("ERR wrong number of arguments for 'pfmerge' command"), p.run("PFMERGE"));
        assertEquals(err("ERR wrong number of arguments for 'pfdebug' command"), p.run("PFDEBUG", "ENCODING"));
        assertEquals(err("ERR wrong number of arguments for 'pfselftest' command"), p.run("PFSELFTEST", "x"));
    }

    @Test
    void errorTextsAreRedisOwn() {
        assertEquals(NOT_HLL, Errors.HLL_NOT_A_HYPERLOGLOG);
        assertEquals(CORRUPTED, Errors.HLL_CORRUPTED);
        assertEquals("TESTFAILED Register 7 should be 3 but is 2", Errors.hllSelftestRegister(7, 3, 2));
        assertEquals("TESTFAILED Too big error. card:1000 abserr:99", Errors.hllSelftestError(1000, 99));
    }

    @Test
    void selfTestPasses() {
        assertEquals("OK", h.run("PFSELFTEST"));
    }

    // ---- effects and change counts -----------------------------------------------------------------

    @Test
    void writesLogThemselvesOnlyWhenTheyChangeSomething() {
        h.run("PFADD", "h", "a", "b");
        h.run("PFADD", "h", "a");
        h.run("PFCOUNT", "h");
        h.run("PFCOUNT", "h");
        h.run("PFCOUNT", "h", "h");
        h.run("PFMERGE", "m", "h");
        h.run("PFDEBUG", "ENCODING", "h");
        h.run("PFDEBUG", "GETREG", "h");
        h.run("PFDEBUG", "GETREG", "h");
        h.run("PFDEBUG", "TODENSE", "h");
        h.run("PFDEBUG", "TODENSE", "m");
        assertEquals(List.of("0:PFADD h a b", "0:PFCOUNT h", "0:PFMERGE m h", "0:PFDEBUG GETREG h", "0:PFDEBUG TODENSE m"),
                h.effects());
    }

    @Test
    void changesAreCountedAsRedisCountsThem() {
        assertEquals(4, dirtyAfter("PFADD", "h", "a", "b", "c"), "the new key and three registers");
        assertEquals(0, dirtyAfter("PFADD", "h", "a"));
        assertEquals(1, dirtyAfter("PFADD", "h", "d"));
        assertEquals(1, dirtyAfter("PFCOUNT", "h"), "the cache is written");
        assertEquals(0, dirtyAfter("PFCOUNT", "h"));
        assertEquals(0, dirtyAfter("PFCOUNT", "h", "h"));
        assertEquals(1, dirtyAfter("PFMERGE", "h", "h"), "PFMERGE always counts one");
        assertEquals(1, dirtyAfter("PFADD", "new"));
        assertEquals(1, dirtyAfter("PFDEBUG", "GETREG", "h"));
        assertEquals(0, dirtyAfter("PFDEBUG", "GETREG", "h"));
    }

    private long dirtyAfter(String... command) {
        long before = h.engine.keyspace().dirty();
        h.run(command);
        return h.engine.keyspace().dirty() - before;
    }

    @Test
    void replayLeavesTheSameBytes() {
        h.run("PFADD", "a", "x", "y", "z");
        h.run("PFCOUNT", "a");
        h.run(pfadd("b", 2500));
        h.run("PFCOUNT", "b");
        h.run("PFMERGE", "c", "a", "b");
        h.run("PFMERGE", "a", "a");
        h.run("PFADD", "d", "1", "2");
        h.run("PFDEBUG", "TODENSE", "d");
        h.run("PFCOUNT", "d");
        h.run("PFADD", "d", "3");
        EngineHarness copy = replayed(h, 0);
        for (String key : List.of("a", "b", "c", "d")) {
            assertEquals(h.run("GET", key), copy.run("GET", key), key);
        }
    }

    @Test
    void aPfaddThatFailsOnACorruptedValueKeepsWhatItChangedAndLogsItselfForReplay() {
        h.run("SET", "k", latin1(sparse(xzero(16000)))); // registers 16000 and above are missing
        String inside = elementWithRegister(r -> r < 16000);
        String outside = elementWithRegister(r -> r >= 16000);
        h.logged.clear();
        long dirty = h.engine.keyspace().dirty();

        assertEquals(err(CORRUPTED), h.run("PFADD", "k", inside, outside));

        assertEquals(dirty, h.engine.keyspace().dirty(), "Redis counts no change");
        Object changed = h.run("GET", "k");
        assertNotEquals(latin1(sparse(xzero(16000))), changed, "the register raised before the error stays raised");
        assertEquals(List.of("0:PFADD k " + inside + " " + outside), h.effects());
        EngineHarness copy = new EngineHarness();
        copy.run("SET", "k", latin1(sparse(xzero(16000))));
        copy.engine.replay(StoredRecords.logged(h));
        assertEquals(changed, copy.run("GET", "k"));
    }

    // ---- TTL and encoding -----------------------------------------------------------------------------

    @Test
    void writesKeepTheTtl() {
        h.run("PFADD", "h", "a");
        h.run("PEXPIRE", "h", "50000");
        long expiry = expireAt(h, "h");
        h.run("PFADD", "h", "b");
        h.run("PFCOUNT", "h");
        h.run("PFMERGE", "h", "h");
        h.run("PFDEBUG", "TODENSE", "h");
        assertEquals(expiry, expireAt(h, "h"));
    }

    @Test
    void openingAValueMakesItRawWithoutCountingAChange() {
        h.run("SET", "k", latin1(HyperLogLog.empty().toByteArray())); // 18 bytes, its cache valid
        assertEquals("embstr", h.run("OBJECT", "ENCODING", "k"));
        h.logged.clear();
        long dirty = h.engine.keyspace().dirty();
        assertEquals(0L, h.run("PFCOUNT", "k"), "the cached cardinality, 0, is valid");
        assertTrue(raw(h, "k"));
        assertEquals("raw", h.run("OBJECT", "ENCODING", "k"));
        assertEquals(dirty, h.engine.keyspace().dirty());
        assertEquals(List.of(), h.effects());
        h.run("PFADD", "new", "a");
        assertEquals("raw", h.run("OBJECT", "ENCODING", "new"));
    }

    @Test
    void aCountOverTheLongRangeIsRedisOverflowValue() {
        byte[] value = new byte[HyperLogLog.DENSE_SIZE];
        System.arraycopy(bytes("HYLL"), 0, value, 0, 4);
        value[15] = (byte) 0x80;
        java.util.Arrays.fill(value, HyperLogLog.HEADER_SIZE, value.length, (byte) 0xff); // every register 63
        h.run("SET", "k", latin1(value));
        assertEquals(Long.MIN_VALUE, h.run("PFCOUNT", "k"));
        assertEquals(Long.MIN_VALUE, h.run("PFCOUNT", "k"), "the cached value has its top bit set: recomputed");
        assertFalse(HyperLogLog.wrap(bytes((String) h.run("GET", "k"))).cacheValid());
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static String dense(EngineHarness p) {
        p.run("PFADD", "dense", "x");
        p.run("PFDEBUG", "TODENSE", "dense");
        return "dense";
    }

    /** PFADD of n distinct elements (enough to turn the value dense past 2000 or so). */
    private static String[] pfadd(String key, int n) {
        List<String> args = new ArrayList<>(List.of("PFADD", key));
        for (int i = 0; i < n; i++) {
            args.add(key + i);
        }
        return args.toArray(new String[0]);
    }

    /** A sparse value whose cache is stale, with the given opcodes. */
    private static byte[] sparse(byte[] opcodes) {
        byte[] value = new byte[HyperLogLog.HEADER_SIZE + opcodes.length];
        System.arraycopy(bytes("HYLL"), 0, value, 0, 4);
        value[4] = 1;
        value[15] = (byte) 0x80;
        System.arraycopy(opcodes, 0, value, HyperLogLog.HEADER_SIZE, opcodes.length);
        return value;
    }

    private static byte[] xzero(int run) {
        return new byte[]{(byte) (0x40 | (run - 1) >> 8), (byte) (run - 1)};
    }

    private static String elementWithRegister(java.util.function.IntPredicate register) {
        for (int i = 0; ; i++) {
            String element = "el" + i;
            if (register.test((int) (Hashing.murmurHash64A(bytes(element), 0xadc83b19L) & (HyperLogLog.REGISTERS - 1)))) {
                return element;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
