package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.commands.StoredRecords.expireAt;
import static dev.millrace.engine.commands.StoredRecords.handles;
import static dev.millrace.engine.commands.StoredRecords.raw;
import static dev.millrace.engine.commands.StoredRecords.record;
import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * String commands beyond their replies (which GoldenRepliesTest checks byte for byte against Redis
 * 7.0.15): the effects they log, TTLs, the stored encoding flag, size limits, large values, and
 * replaying the log into a fresh engine. The effects were checked against a real redis-server 7.0.15
 * with appendonly on, by reading its AOF: SET EX/PX/EXAT and SETEX/PSETEX became SET ... PXAT,
 * GETSET became SET, GETEX became PEXPIREAT/PERSIST/DEL, GETDEL became DEL, INCRBYFLOAT became
 * SET ... KEEPTTL, and a SET NX, SETNX or MSETNX that did nothing logged nothing.
 */
class StringCommandsTest {
    private final EngineHarness h = new EngineHarness();
    private final long now = h.time.get();

    @Nested
    class Effects {
        @Test
        void plainSetLogsItself() {
            h.run("SET", "k", "v");
            assertEquals(List.of("0:SET k v"), h.effects());
        }

        @Test
        void relativeAndAbsoluteTtlsBecomePxat() {
            h.run("SET", "a", "v", "EX", "10");
            h.run("SET", "b", "v", "PX", "1500");
            h.run("SET", "c", "v", "EXAT", "2000000000");
            h.run("SET", "d", "v", "PXAT", "2000000000123");
            h.run("SETEX", "e", "7", "v");
            h.run("PSETEX", "f", "700", "v");
            assertEquals(List.of(
                    "0:SET a v PXAT " + (now + 10_000),
                    "0:SET b v PXAT " + (now + 1500),
                    "0:SET c v PXAT 2000000000000",
                    "0:SET d v PXAT 2000000000123",
                    "0:SET e v PXAT " + (now + 7000),
                    "0:SET f v PXAT " + (now + 700)), h.effects());
        }

        @Test
        void conditionsAndGetAreDroppedOnceDecidedButKeepttlStays() {
            h.run("SET", "k", "v", "NX", "GET");
            h.run("SET", "k", "w", "XX", "GET", "KEEPTTL");
            h.run("SET", "k", "x", "xx", "px", "100", "get");
            assertEquals(List.of("0:SET k v", "0:SET k w KEEPTTL", "0:SET k x PXAT " + (now + 100)), h.effects());
        }

        @Test
        void writesThatDidNothingLogNothing() {
            h.run("SET", "k", "v");
            h.logged.clear();
            h.run("SET", "k", "w", "NX");
            h.run("SET", "missing", "w", "XX", "GET");
            h.run("SETNX", "k", "w");
            h.run("MSETNX", "new", "1", "k", "2");
            h.run("SETRANGE", "k", "3", "");
            h.run("GETDEL", "missing");
            h.run("GETEX", "k");
            h.run("GETEX", "k", "PERSIST");
            h.run("INCR", "k");
            h.run("SET", "k", "v", "EX", "0");
            assertEquals(List.of(), h.effects());
        }

        @Test
        void deterministicWritesLogTheirOwnArguments() {
            h.run("SETNX", "a", "1");
            h.run("MSET", "b", "2", "c", "3");
            h.run("MSETNX", "d", "4");
            h.run("APPEND", "a", "0");
            h.run("INCR", "a");
            h.run("DECRBY", "a", "5");
            h.run("SETRANGE", "b", "2", "zz");
            assertEquals(List.of("0:SETNX a 1", "0:MSET b 2 c 3", "0:MSETNX d 4", "0:APPEND a 0", "0:INCR a",
                    "0:DECRBY a 5", "0:SETRANGE b 2 zz"), h.effects());
        }

        @Test
        void getsetBecomesSetAndGetdelBecomesDel() {
            h.run("GETSET", "k", "a");
            h.run("GETSET", "k", "b");
            h.run("GETDEL", "k");
            assertEquals(List.of("0:SET k a", "0:SET k b", "0:DEL k"), h.effects());
        }

        @Test
        void getexBecomesPexpireatPersistOrDel() {
            h.run("SET", "k", "v");
            h.logged.clear();
            h.run("GETEX", "k", "EX", "10");
            h.run("GETEX", "k", "PX", "20");
            h.run("GETEX", "k", "EXAT", "2000000000");
            h.run("GETEX", "k", "PXAT", "2000000000001");
            h.run("GETEX", "k", "PERSIST");
            h.run("GETEX", "k", "PERSIST");
            h.run("GETEX", "k", "PXAT", Long.toString(now - 1));
            assertEquals(List.of(
                    "0:PEXPIREAT k " + (now + 10_000),
                    "0:PEXPIREAT k " + (now + 20),
                    "0:PEXPIREAT k 2000000000000",
                    "0:PEXPIREAT k 2000000000001",
                    "0:PERSIST k",
                    "0:DEL k"), h.effects());
            assertNull(record(h, "k"));
        }

        @Test
        void getexAtTheCurrentMillisecondDeletesTheKey() {
            h.run("SET", "k", "v");
            assertEquals("v", h.run("GETEX", "k", "PXAT", Long.toString(now)));
            assertNull(h.run("GET", "k"));
        }

        @Test
        void incrbyfloatBecomesSetOfTheResultKeepingTheTtl() {
            h.run("INCRBYFLOAT", "f", "0.1");
            h.run("INCRBYFLOAT", "f", "0.2");
            assertEquals(List.of("0:SET f 0.1 KEEPTTL", "0:SET f 0.3 KEEPTTL"), h.effects());
        }

        @Test
        void aKeyThatExpiredOnAccessIsLoggedAsDelBeforeTheCommand() {
            h.run("SET", "k", "old", "PX", "100");
            h.advance(200);
            h.logged.clear();
            assertEquals("OK", h.run("SET", "k", "new", "NX"));
            assertEquals(List.of("0:DEL k", "0:SET k new"), h.effects());
        }

        @Test
        void effectsGoToTheSelectedDatabase() {
            h.session.selectDb(3);
            h.run("SET", "k", "v", "EX", "1");
            assertEquals(List.of("3:SET k v PXAT " + (now + 1000)), h.effects());
        }
    }

    @Nested
    class Ttls {
        @Test
        void setWithoutKeepttlClearsTheTtlAndWithItKeepsIt() {
            h.run("SET", "k", "v", "EX", "100");
            assertEquals(now + 100_000, expireAt(h, "k"));
            h.run("SET", "k", "w", "KEEPTTL");
            assertEquals(now + 100_000, expireAt(h, "k"));
            h.run("SET", "k", "x");
            assertEquals(Record.NO_EXPIRY, expireAt(h, "k"));
        }

        @Test
        void inPlaceModificationsKeepTheTtl() {
            h.run("SET", "k", "10", "PX", "5000");
            h.run("APPEND", "k", "0");
            h.run("INCR", "k");
            h.run("DECRBY", "k", "1");
            h.run("INCRBYFLOAT", "k", "0.5");
            h.run("SETRANGE", "k", "0", "2");
            assertEquals("200.5", h.run("GET", "k"));
            assertEquals(now + 5000, expireAt(h, "k"));
        }

        @Test
        void replacingWritesClearTheTtl() {
            h.run("SET", "a", "v", "PX", "5000");
            h.run("SET", "b", "v", "PX", "5000");
            h.run("GETSET", "a", "w");
            h.run("MSET", "b", "w");
            assertEquals(Record.NO_EXPIRY, expireAt(h, "a"));
            assertEquals(Record.NO_EXPIRY, expireAt(h, "b"));
        }

        @Test
        void getexSetsAndRemovesTheTtl() {
            h.run("SET", "k", "v");
            h.run("GETEX", "k", "EX", "3");
            assertEquals(now + 3000, expireAt(h, "k"));
            h.run("GETEX", "k");
            assertEquals(now + 3000, expireAt(h, "k"));
            h.run("GETEX", "k", "PERSIST");
            assertEquals(Record.NO_EXPIRY, expireAt(h, "k"));
        }

        @Test
        void anExpiredKeyIsAbsentToEveryCommand() {
            h.run("SET", "k", "5", "PX", "100");
            h.advance(99);
            assertEquals("5", h.run("GET", "k"));
            h.advance(2);
            assertNull(h.run("GET", "k"));
            h.run("SET", "k", "5", "PX", "100");
            h.advance(101);
            assertEquals(1L, h.run("INCR", "k"));
            assertEquals(Record.NO_EXPIRY, expireAt(h, "k"), "a counter recreated after expiry has no TTL");
            h.run("SET", "s", "abc", "PX", "10");
            h.advance(11);
            assertEquals(0L, h.run("STRLEN", "s"));
            assertEquals(3L, h.run("APPEND", "s", "xyz"));
            assertEquals("xyz", h.run("GET", "s"));
        }

        @Test
        void setexLeavesTheKeyForItsTtl() {
            h.run("SETEX", "k", "2", "v");
            h.advance(1999);
            assertEquals("v", h.run("GET", "k"));
            h.advance(2);
            assertNull(h.run("GET", "k"));
        }

        @Test
        void aPastExpiryOnSetLeavesAKeyThatReadsAsMissing() {
            // Redis 7.0 stores it with the past time (SET ... PXAT 1000 in its AOF) and expires it on access
            assertEquals("OK", h.run("SET", "k", "v", "EXAT", "1"));
            assertEquals(List.of("0:SET k v PXAT 1000"), h.effects());
            assertNull(h.run("GET", "k"));
            assertEquals(List.of("0:SET k v PXAT 1000", "0:DEL k"), h.effects());
        }
    }

    @Nested
    class Encoding {
        @Test
        void valuesStoredWholeAreNotRaw() {
            h.run("SET", "a", "v");
            h.run("MSET", "b", "1");
            h.run("GETSET", "c", "x");
            h.run("INCR", "d");
            h.run("INCRBYFLOAT", "e", "1.5");
            h.run("APPEND", "f", "new key");
            assertFalse(raw(h, "a") || raw(h, "b") || raw(h, "c") || raw(h, "d") || raw(h, "e") || raw(h, "f"));
        }

        @Test
        void valuesModifiedInPlaceBecomeRaw() {
            h.run("SET", "a", "1");
            h.run("APPEND", "a", "2");
            h.run("SETRANGE", "b", "2", "x");
            assertTrue(raw(h, "a"));
            assertTrue(raw(h, "b"));
            h.run("INCR", "a");
            assertFalse(raw(h, "a"), "INCR stores a fresh integer");
        }
    }

    @Nested
    class Sizes {
        private final byte[] threeMegabytes = filled(3 << 20, (byte) 'x');

        @Test
        void valuesOfSeveralMegabytesRoundTrip() {
            h.run(bytes("SET"), bytes("big"), threeMegabytes);
            assertEquals(3L << 20, h.run("STRLEN", "big"));
            assertEquals(new String(threeMegabytes, StandardCharsets.ISO_8859_1), h.run("GET", "big"));
            assertEquals((3L << 20) + 3, h.run("APPEND", "big", "end"));
            assertEquals("xxend", h.run("GETRANGE", "big", "-5", "-1"));
            assertEquals((4L << 20) + 1, h.run("SETRANGE", "big", Long.toString(4 << 20), "!"));
            assertEquals("\0\0!", h.run("GETRANGE", "big", "-3", "-1"));
        }

        @Test
        void growthBeyondProtoMaxBulkLenIsRefused() {
            h.config.set("proto-max-bulk-len", "4mb", false);
            h.run(bytes("SET"), bytes("big"), threeMegabytes);
            byte[] oneMegabyte = filled(1 << 20, (byte) 'y');
            assertEquals((4L << 20), h.run(bytes("APPEND"), bytes("big"), oneMegabyte));
            assertEquals(err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), h.run("APPEND", "big", "z"));
            assertEquals(err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
                    h.run("SETRANGE", "other", Long.toString(4 << 20), "z"));
            assertEquals((long) (4 << 20), h.run("SETRANGE", "other", Long.toString((4 << 20) - 1), "z"));
            assertEquals(4L << 20, h.run("STRLEN", "big"), "a refused APPEND changes nothing");
        }

        @Test
        void replayAcceptsWhatWasAcceptedBeforeTheLimitWasLowered() {
            h.run(bytes("SET"), bytes("big"), threeMegabytes);
            h.run(bytes("APPEND"), bytes("big"), threeMegabytes);
            EngineHarness copy = new EngineHarness();
            copy.config.set("proto-max-bulk-len", "4mb", false);
            copy.engine.replay(StoredRecords.logged(h));
            assertEquals(6L << 20, copy.run("STRLEN", "big"));
        }
    }

    @Nested
    class Replay {
        /** Commands whose effects only need this family (and BitCommands) to replay. */
        private void runWorkload() {
            h.run("SET", "plain", "v");
            h.run("SET", "ttl", "v", "EX", "100");
            h.run("SET", "short", "v", "PX", "500");
            h.run("SET", "abs", "v", "PXAT", Long.toString(now + 250));
            h.run("SET", "kept", "1", "EX", "50");
            h.run("SET", "kept", "2", "KEEPTTL", "GET");
            h.run("SET", "nx", "first", "NX");
            h.run("SET", "nx", "second", "NX");
            h.run("SETEX", "se", "30", "v");
            h.run("PSETEX", "pse", "30", "v");
            h.run("SETNX", "snx", "1");
            h.run("MSET", "m1", "a", "m2", "b");
            h.run("MSETNX", "m1", "x", "m3", "y");
            h.run("GETSET", "m2", "c");
            h.run("APPEND", "plain", "-more");
            h.run("INCR", "counter");
            h.run("INCRBY", "counter", "41");
            h.run("SET", "float", "10.5", "PX", "800");
            h.run("INCRBYFLOAT", "float", "0.1");
            h.run("INCRBYFLOAT", "float", "0.2");
            h.run("SETRANGE", "range", "3", "abc");
        }

        private static final List<String> KEYS = List.of("plain", "ttl", "short", "abs", "kept", "nx", "se", "pse",
                "snx", "m1", "m2", "m3", "counter", "float", "range");

        private Map<String, String> stored(EngineHarness e) {
            Map<String, String> view = new LinkedHashMap<>();
            for (String key : KEYS) {
                Record r = record(e, key);
                view.put(key, r == null ? null
                        : new String(r.payload(), StandardCharsets.ISO_8859_1) + " @" + r.expireAtMillis() + (r.raw() ? " raw" : ""));
            }
            return view;
        }

        @Test
        void replayingTheLogRebuildsTheSameKeyspace() {
            runWorkload();
            EngineHarness copy = replayed(h, 0);
            assertEquals(stored(h), stored(copy));
            assertEquals("v-more", copy.run("GET", "plain"));
            assertEquals("10.8", copy.run("GET", "float"));
            assertEquals(now + 800, expireAt(copy, "float"));
            assertEquals("first", copy.run("GET", "nx"));
            assertEquals("\0\0\0abc", copy.run("GET", "range"));
        }

        @Test
        void keysWhoseTtlPassedBeforeTheReplayKeepTheirAbsoluteExpiryAndReadAsMissing() {
            runWorkload();
            // the replay happens 10 s later: "short", "abs", "pse" and "float" expired in between
            EngineHarness copy = replayed(h, 10_000);
            assertEquals(stored(h), stored(copy), "replay never expires keys, it stores the logged times");
            h.advance(10_000);
            for (String key : KEYS) {
                assertEquals(h.run("GET", key), copy.run("GET", key), key);
            }
            assertNull(copy.run("GET", "short"));
            assertNull(copy.run("GET", "float"));
            assertEquals("v", copy.run("GET", "ttl"));
        }

        @Test
        void getexGetdelAndLazyExpiryReplayThroughTheKeysFamily() {
            assumeTrue(handles(h, "del") && handles(h, "pexpireat") && handles(h, "persist"),
                    "DEL, PEXPIREAT and PERSIST are replayed by the keys family");
            h.run("SET", "a", "v");
            h.run("GETEX", "a", "EX", "20");
            h.run("SET", "b", "v", "EX", "20");
            h.run("GETEX", "b", "PERSIST");
            h.run("SET", "c", "v");
            h.run("GETDEL", "c");
            h.run("SET", "d", "v");
            h.run("GETEX", "d", "EXAT", "1");
            h.run("SET", "e", "v", "PX", "10");
            h.advance(20);
            h.run("GET", "e");
            EngineHarness copy = replayed(h, 0);
            for (String key : List.of("a", "b", "c", "d", "e")) {
                Record original = record(h, key);
                Record replayed = record(copy, key);
                assertEquals(original == null, replayed == null, key);
                if (original != null) {
                    assertEquals(original.expireAtMillis(), replayed.expireAtMillis(), key);
                    assertArrayEquals(original.payload(), replayed.payload(), key);
                }
            }
        }
    }

    @Nested
    class Replies {
        @Test
        void lcsIdxIsAMapThatTheEncoderFlattensForResp2() {
            // the wire shapes (%2 in RESP3, *4 in RESP2) are checked byte for byte in strings.golden
            h.run("MSET", "a", "ohmytext", "b", "mynewtext");
            List<Object> matches = List.of(
                    List.of(List.of(4L, 7L), List.of(5L, 8L), 4L),
                    List.of(List.of(2L, 3L), List.of(0L, 1L), 2L));
            Map<Object, Object> map = new LinkedHashMap<>();
            map.put("matches", matches);
            map.put("len", 6L);
            assertEquals(map, h.run("LCS", "a", "b", "IDX", "WITHMATCHLEN"));
            assertEquals(Map.of("matches", List.of(matches.get(0)), "len", 6L),
                    h.run("LCS", "a", "b", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "3"));
            assertEquals("mytext", h.run("LCS", "a", "b"));
            assertEquals(6L, h.run("LCS", "a", "b", "LEN"));
        }

        @Test
        void readsCountKeyspaceHitsAndMisses() {
            h.run("SET", "k", "v");
            h.run("GET", "k");
            h.run("GET", "nope");
            h.run("MGET", "k", "nope", "k");
            assertEquals(3, h.engine.keyspace().keyspaceHits());
            assertEquals(2, h.engine.keyspace().keyspaceMisses());
        }

        @Test
        void msetWithAMissingValueIsAnArityError() {
            assertEquals(err("ERR wrong number of arguments for 'mset' command"), h.run("MSET", "a", "1", "b"));
            assertEquals(err("ERR wrong number of arguments for 'msetnx' command"), h.run("MSETNX", "a", "1", "b"));
            assertNull(h.run("GET", "a"));
        }

        @Test
        void theOptionErrorsOfSetNameTheCommand() {
            assertEquals(err("ERR invalid expire time in 'set' command"), h.run("SET", "k", "v", "EX", "0"));
            assertEquals(err("ERR invalid expire time in 'setex' command"), h.run("SETEX", "k", "-1", "v"));
            assertEquals(err("ERR invalid expire time in 'psetex' command"), h.run("PSETEX", "k", "0", "v"));
            h.run("SET", "k", "v");
            assertEquals(err("ERR invalid expire time in 'getex' command"), h.run("GETEX", "k", "PX", "0"));
            assertEquals(err("ERR syntax error"), h.run("SET", "k", "v", "NX", "XX"));
            assertEquals(err("ERR syntax error"), h.run("GETEX", "k", "EX", "1", "PERSIST"));
            assertEquals(List.of("0:SET k v"), h.effects(), "refused commands change nothing");
        }
    }

    private static byte[] filled(int length, byte value) {
        byte[] b = new byte[length];
        Arrays.fill(b, value);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
