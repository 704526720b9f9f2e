package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.millrace.engine.commands.HashCommandsTest.pairs;
import static dev.millrace.engine.commands.HashCommandsTest.replayedFrom;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis 7.4's hash-field expiry, checked against 7.4's t_hash.c and command docs (the reference
 * server, 7.0, has no such commands): replies per field, every error and the order of the checks,
 * the listpack order expiring fields take, lazy and active expiry logged as HDEL, effects and replay.
 * Each case runs on a small hash and, where the form matters, on a large one
 * (hash-max-listpack-entries 0).
 */
class HashFieldExpiryTest {
    private final EngineHarness h = new EngineHarness();
    private final long now = h.time.get();

    private EngineHarness harness(boolean large) {
        EngineHarness harness = new EngineHarness();
        if (large) {
            harness.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
        }
        return harness;
    }

    private static String at(long millis) {
        return Long.toString(millis);
    }

    @Nested
    class Setting {
        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void eachFieldGetsItsOwnReply(boolean large) {
            EngineHarness e = harness(large);
            e.run("HSET", "h", "a", "1", "b", "2", "c", "3");
            assertEquals(List.of(1L, -2L, 1L), e.run("HEXPIRE", "h", "100", "FIELDS", "3", "a", "nope", "b"));
            assertEquals(List.of(100L, 100L, -1L, -2L), e.run("HTTL", "h", "FIELDS", "4", "a", "b", "c", "nope"));
            assertEquals(List.of(100_000L, -1L), e.run("HPTTL", "h", "FIELDS", "2", "a", "c"));
            long expireAt = e.time.get() + 100_000;
            assertEquals(List.of(expireAt / 1000, expireAt), List.of(
                    ((List<?>) e.run("HEXPIRETIME", "h", "FIELDS", "1", "a")).get(0),
                    ((List<?>) e.run("HPEXPIRETIME", "h", "FIELDS", "1", "a")).get(0)));
            assertEquals(List.of(-2L, -2L), e.run("HTTL", "missing", "FIELDS", "2", "a", "b"));
            assertEquals(List.of(-2L), e.run("HEXPIRE", "missing", "10", "FIELDS", "1", "a"));
            assertEquals(0L, e.run("EXISTS", "missing"));
        }

        @Test
        void unitsAndAbsoluteTimes() {
            h.run("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
            h.run("HPEXPIRE", "h", "1500", "FIELDS", "1", "a");
            h.run("HEXPIREAT", "h", at(now / 1000 + 30), "FIELDS", "1", "b");
            h.run("HPEXPIREAT", "h", at(now + 45_678), "FIELDS", "1", "c");
            assertEquals(List.of(now + 1500, (now / 1000 + 30) * 1000, now + 45_678),
                    h.run("HPEXPIRETIME", "h", "FIELDS", "3", "a", "b", "c"));
            // seconds round up, as Redis 7.4 computes (ms + 999) / 1000
            assertEquals(List.of(2L, 46L), h.run("HTTL", "h", "FIELDS", "2", "a", "c"));
            assertEquals(List.of((now + 1500 + 999) / 1000), h.run("HEXPIRETIME", "h", "FIELDS", "1", "a"));
        }

        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void conditionsTreatNoExpiryAsInfinite(boolean large) {
            EngineHarness e = harness(large);
            e.run("HSET", "h", "none", "1", "ttl", "2");
            e.run("HEXPIRE", "h", "100", "FIELDS", "1", "ttl");
            assertEquals(List.of(1L, 0L), e.run("HEXPIRE", "h", "50", "NX", "FIELDS", "2", "none", "ttl"));
            e.run("HPERSIST", "h", "FIELDS", "1", "none");
            assertEquals(List.of(0L, 1L), e.run("HEXPIRE", "h", "200", "XX", "FIELDS", "2", "none", "ttl"));
            assertEquals(List.of(0L, 1L), e.run("HEXPIRE", "h", "300", "GT", "FIELDS", "2", "none", "ttl"));
            assertEquals(List.of(-1L, 300L), e.run("HTTL", "h", "FIELDS", "2", "none", "ttl"));
            assertEquals(List.of(0L), e.run("HEXPIRE", "h", "300", "GT", "FIELDS", "1", "ttl"), "not greater");
            assertEquals(List.of(0L), e.run("HEXPIRE", "h", "300", "LT", "FIELDS", "1", "ttl"), "not less");
            assertEquals(List.of(1L, 1L), e.run("HEXPIRE", "h", "10", "lt", "FIELDS", "2", "none", "ttl"));
            assertEquals(List.of(10L, 10L), e.run("HTTL", "h", "FIELDS", "2", "none", "ttl"));
        }

        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void aTimeNotInTheFutureDeletesTheFieldAndTheLastOneTheKey(boolean large) {
            EngineHarness e = harness(large);
            e.run("HSET", "h", "a", "1", "b", "2", "c", "3");
            assertEquals(List.of(2L), e.run("HEXPIRE", "h", "0", "FIELDS", "1", "a"));
            assertEquals(List.of(0L), e.run("HPEXPIREAT", "h", at(e.time.get()), "XX", "FIELDS", "1", "b"),
                    "the condition is checked first");
            assertEquals(List.of(2L, -2L), e.run("HEXPIREAT", "h", "1", "FIELDS", "2", "b", "b"));
            assertEquals(List.of(2L), e.run("HPEXPIRE", "h", "0", "FIELDS", "1", "c"));
            assertEquals(0L, e.run("EXISTS", "h"));
        }

        @Test
        void deletionsAreLoggedAsHdelAndSettingsAsHpexpireatOfTheFieldsSet() {
            h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
            h.logged.clear();
            h.run("HEXPIRE", "h", "10", "FIELDS", "3", "a", "nope", "b");
            h.run("HPEXPIRE", "h", "5000", "GT", "FIELDS", "3", "a", "c", "b");
            h.run("HEXPIRE", "h", "0", "FIELDS", "2", "a", "nope");
            h.run("HEXPIRE", "h", "10", "NX", "FIELDS", "1", "b");
            h.run("HEXPIREAT", "h", at(now / 1000 + 100), "FIELDS", "1", "b");
            assertEquals(List.of(
                    "0:HPEXPIREAT h " + (now + 10_000) + " FIELDS 2 a b",
                    "0:HDEL h a",
                    "0:HPEXPIREAT h " + (now / 1000 + 100) * 1000 + " FIELDS 1 b"), h.effects());
        }

        @Test
        void overwritingClearsTheExpiryButIncrementsKeepIt() {
            h.run("HSET", "h", "a", "1", "b", "2", "c", "3.5");
            h.run("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "c");
            h.run("HSET", "h", "a", "x");
            h.run("HINCRBY", "h", "b", "5");
            h.run("HINCRBYFLOAT", "h", "c", "1");
            h.run("HSETNX", "h", "b", "ignored");
            assertEquals(List.of(-1L, 100L, 100L), h.run("HTTL", "h", "FIELDS", "3", "a", "b", "c"));
            assertEquals(List.of("7", "4.5"), h.run("HMGET", "h", "b", "c"));
        }

        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void hpersistRemovesExpiries(boolean large) {
            EngineHarness e = harness(large);
            e.run("HSET", "h", "a", "1", "b", "2");
            e.run("HEXPIRE", "h", "100", "FIELDS", "1", "a");
            e.logged.clear();
            assertEquals(List.of(1L, -1L, -2L), e.run("HPERSIST", "h", "FIELDS", "3", "a", "b", "nope"));
            assertEquals(List.of(-1L), e.run("HPERSIST", "h", "FIELDS", "1", "a"));
            assertEquals(List.of(-2L), e.run("HPERSIST", "missing", "FIELDS", "1", "a"));
            assertEquals(List.of("0:HPERSIST h FIELDS 3 a b nope"), e.effects());
            e.advance(200_000);
            assertEquals("1", e.run("HGET", "h", "a"));
        }
    }

    @Nested
    class Errors {
        @Test
        void checksComeInRedisOrder() {
            h.run("SET", "s", "v");
            h.run("HSET", "h", "a", "1");
            String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
            assertEquals(err(wrongType), h.run("HEXPIRE", "s", "x", "FIELDS", "1", "a"), "type before the time");
            assertEquals(err(wrongType), h.run("HTTL", "s", "FIELDS", "x", "a"));
            assertEquals(err(wrongType), h.run("HPERSIST", "s", "x", "1", "a"));
            assertEquals(err("ERR value is not an integer or out of range"), h.run("HEXPIRE", "h", "x", "FOO", "1", "a"));
            assertEquals(err("ERR value is not an integer or out of range"), h.run("HEXPIRE", "h", "1.5", "FIELDS", "1", "a"));
            assertEquals(err("ERR invalid expire time, must be >= 0"), h.run("HPEXPIRE", "h", "-1", "FOO", "1", "a"));
            assertEquals(err("ERR invalid expire time in 'hexpire' command"),
                    h.run("HEXPIRE", "h", "70368744178", "FIELDS", "1", "a"));
            assertEquals(err("ERR invalid expire time in 'hexpireat' command"),
                    h.run("HEXPIREAT", "h", "70368744178", "FIELDS", "1", "a"));
            assertEquals(List.of(1L), h.run("HEXPIREAT", "h", "70368744177", "FIELDS", "1", "a"));
            assertEquals(List.of(1L), h.run("HPEXPIREAT", "h", "70368744177663", "FIELDS", "1", "a"));
            assertEquals(err("ERR invalid expire time in 'hpexpireat' command"),
                    h.run("HPEXPIREAT", "h", "70368744177664", "FIELDS", "1", "a"));
            assertEquals(err("ERR invalid expire time in 'hpexpire' command"),
                    h.run("HPEXPIRE", "h", at(70368744177663L - now + 1), "FIELDS", "1", "a"));
            assertEquals(err("ERR Mandatory argument FIELDS is missing or not at the right position"),
                    h.run("HEXPIRE", "h", "10", "FOO", "1", "a"));
            assertEquals(err("ERR Mandatory argument FIELDS is missing or not at the right position"),
                    h.run("HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a"));
            assertEquals(err("ERR Mandatory argument FIELDS is missing or not at the right position"),
                    h.run("HEXPIRE", "h", "10", "NX", "1", "FIELDS", "a"));
            assertEquals(err("ERR Parameter `numFields` should be greater than 0"),
                    h.run("HEXPIRE", "h", "10", "fields", "0", "a"));
            assertEquals(err("ERR Parameter `numFields` should be greater than 0"),
                    h.run("HEXPIRE", "h", "10", "GT", "FIELDS", "x", "a"));
            assertEquals(err("ERR The `numfields` parameter must match the number of arguments"),
                    h.run("HEXPIRE", "h", "10", "FIELDS", "2", "a"));
            assertEquals(err("ERR The `numfields` parameter must match the number of arguments"),
                    h.run("HEXPIRE", "missing", "10", "FIELDS", "1", "a", "b"));
            assertEquals(err("ERR Mandatory argument FIELDS is missing or not at the right position"),
                    h.run("HTTL", "h", "FIELD", "1", "a"));
            assertEquals(err("ERR Number of fields must be a positive integer"), h.run("HTTL", "h", "FIELDS", "-1", "a"));
            assertEquals(err("ERR Number of fields must be a positive integer"), h.run("HPERSIST", "h", "FIELDS", "x", "a"));
            assertEquals(err("ERR The `numfields` parameter must match the number of arguments"),
                    h.run("HPEXPIRETIME", "missing", "FIELDS", "3", "a", "b"));
            assertEquals(err("ERR wrong number of arguments for 'hexpire' command"), h.run("HEXPIRE", "h", "10", "FIELDS", "1"));
            assertEquals(err("ERR wrong number of arguments for 'httl' command"), h.run("HTTL", "h", "FIELDS", "1"));
        }

        @Test
        void erroneousCommandsChangeAndLogNothing() {
            h.run("HSET", "h", "a", "1");
            h.logged.clear();
            h.run("HEXPIRE", "h", "10", "FIELDS", "2", "a");
            h.run("HEXPIRE", "h", "-10", "FIELDS", "1", "a");
            h.run("HEXPIRE", "h", "10", "XX", "FIELDS", "1", "a");
            assertEquals(List.of(), h.effects());
            assertEquals(List.of(-1L), h.run("HTTL", "h", "FIELDS", "1", "a"));
            assertEquals("listpackex", h.run("OBJECT", "ENCODING", "h"), "Redis 7.4 converts even when nothing is set");
        }
    }

    @Nested
    class Order {
        @Test
        void expiringFieldsComeFirstSoonestFirstAsInRedisListpack() {
            // Redis 7.4's own example (PR 13303): f2 and f3 expire together, f3 was set last
            h.run("HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3");
            h.run("HPEXPIRE", "h", "10000", "NX", "FIELDS", "2", "f2", "f3");
            assertEquals(List.of("f3", "v3", "f2", "v2", "f1", "v1"), pairs(h.run("HGETALL", "h")));
            h.run("HPEXPIRE", "h", "5000", "FIELDS", "1", "f1");
            h.run("HSET", "h", "f4", "v4");
            assertEquals(List.of("f1", "f3", "f2", "f4"), h.run("HKEYS", "h"));
            h.run("HPERSIST", "h", "FIELDS", "1", "f3");
            h.run("HSET", "h", "f2", "new");
            h.run("HINCRBY", "h", "f1", "0");
            assertEquals(List.of("f1", "f4", "f3", "f2"), h.run("HKEYS", "h"));
            assertEquals(List.of("0", List.of("f1", "v1", "f4", "v4", "f3", "v3", "f2", "new")), h.run("HSCAN", "h", "0"));
        }

        @Test
        void encodingIsListpackexOnceFieldExpiryWasUsedUntilTheHashGrows() {
            h.run("HSET", "h", "a", "1");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "h"));
            h.run("HTTL", "h", "FIELDS", "1", "a");
            h.run("HPERSIST", "h", "FIELDS", "1", "a");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "h"), "reads and HPERSIST leave it");
            h.run("HEXPIRE", "h", "100", "FIELDS", "1", "nope");
            assertEquals("listpackex", h.run("OBJECT", "ENCODING", "h"));
            h.run("HSET", "h", "big", "x".repeat(65));
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "h"));
            h.run("HSET", "h2", "a", "1");
            h.run("HEXPIRE", "h2", "100", "FIELDS", "1", "a");
            h.run("COPY", "h2", "h3");
            assertEquals("listpackex", h.run("OBJECT", "ENCODING", "h3"));
        }
    }

    @Nested
    class Expiry {
        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void expiredFieldsAreGoneForEveryCommandAndLoggedAsHdel(boolean large) {
            EngineHarness e = harness(large);
            e.run("HSET", "h", "a", "1", "b", "2", "c", "3");
            e.run("HPEXPIRE", "h", "1000", "FIELDS", "2", "a", "b");
            e.advance(1000);
            assertEquals("1", e.run("HGET", "h", "a"), "alive at its expiry, as a key is");
            e.logged.clear();
            e.advance(1);
            assertNull(e.run("HGET", "h", "a"));
            assertEquals(1L, e.run("HLEN", "h"));
            assertEquals(List.of("c", "3"), pairs(e.run("HGETALL", "h")));
            assertEquals(List.of(-2L, -1L), e.run("HTTL", "h", "FIELDS", "2", "b", "c"));
            assertEquals(0L, e.run("HEXISTS", "h", "b"));
            assertEquals(java.util.Set.of("0:HDEL h a", "0:HDEL h b"), new java.util.HashSet<>(e.effects()));
            assertEquals(2, e.effects().size(), "read commands log only the expiry");
        }

        @Test
        void theLastFieldExpiringDeletesTheKeyAndAWriteStartsAFreshHash() {
            h.run("HSET", "h", "a", "1");
            h.run("HPEXPIRE", "h", "10", "FIELDS", "1", "a");
            h.run("EXPIRE", "h", "1000");
            h.advance(11);
            assertEquals(1L, h.run("EXISTS", "h"), "key commands do not look at fields, as in Redis 7.4");
            assertEquals(1L, h.run("HINCRBY", "h", "a", "1"));
            assertEquals(-1L, h.run("TTL", "h"), "a new hash, without the old key's TTL");
            h.run("HPEXPIRE", "h", "10", "FIELDS", "1", "a");
            h.advance(11);
            assertEquals(0L, h.run("HLEN", "h"));
            assertEquals(0L, h.run("EXISTS", "h"));
        }

        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void activeExpiryRemovesFieldsNobodyReads(boolean large) {
            EngineHarness e = harness(large);
            for (int k = 0; k < 20; k++) {
                e.run("HSET", "h" + k, "keep", "v", "gone", "v");
                e.run("HPEXPIRE", "h" + k, "100", "FIELDS", "1", "gone");
            }
            e.run("HSET", "all", "x", "1");
            e.run("HPEXPIRE", "all", "100", "FIELDS", "1", "x");
            e.logged.clear();
            e.advance(101);
            e.engine.cron();
            List<String> effects = e.effects();
            assertEquals(21, effects.size());
            assertTrue(effects.contains("0:HDEL all x"));
            assertTrue(effects.contains("0:HDEL h7 gone"));
            assertEquals(20L, e.run("DBSIZE"), "the hash whose only field expired is deleted");
            long hits = e.engine.keyspace().keyspaceHits();
            assertEquals(List.of(-1L, -2L), e.run("HTTL", "h3", "FIELDS", "2", "keep", "gone"));
            assertEquals(hits + 1, e.engine.keyspace().keyspaceHits());
        }

        @ParameterizedTest(name = "large={0}")
        @ValueSource(booleans = {false, true})
        void oneActiveExpiryRunRemovesAtMostAThousandFields(boolean large) {
            EngineHarness e = harness(large);
            e.run("CONFIG", "SET", "hash-max-listpack-entries", large ? "0" : "3000");
            List<String> args = new ArrayList<>(List.of("HSET", "h"));
            List<String> expire = new ArrayList<>(List.of("HPEXPIRE", "h", "10", "FIELDS", "1500"));
            for (int i = 0; i < 1500; i++) {
                args.add("f" + i);
                args.add("v");
                expire.add("f" + i);
            }
            e.run(args.toArray(new String[0]));
            e.run("HSET", "h", "stays", "v");
            e.run(expire.toArray(new String[0]));
            e.advance(11);
            e.engine.cron();
            assertEquals(1000, countHdels(e));
            e.engine.cron();
            assertEquals(1500, countHdels(e));
            assertEquals(List.of("stays"), e.run("HKEYS", "h"));
        }

        private static int countHdels(EngineHarness e) {
            return (int) e.effects().stream().filter(s -> s.startsWith("0:HDEL h f")).count();
        }
    }

    @Nested
    class Replay {
        @Test
        void replayRebuildsFieldsExpiriesAndOrderWithoutExpiringAnything() {
            h.run("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
            h.run("HEXPIRE", "h", "10", "FIELDS", "2", "a", "b");
            h.run("HPEXPIRE", "h", "20000", "FIELDS", "1", "c");
            h.run("HPERSIST", "h", "FIELDS", "1", "b");
            h.run("HEXPIRE", "h", "0", "FIELDS", "1", "d");
            h.run("HINCRBYFLOAT", "h", "c", "0.5");
            EngineHarness copy = replayedFrom(h);
            assertEquals(pairs(h.run("HGETALL", "h")), pairs(copy.run("HGETALL", "h")));
            assertEquals(List.of(now + 10_000, -1L, now + 20_000, -2L),
                    copy.run("HPEXPIRETIME", "h", "FIELDS", "4", "a", "b", "c", "d"));
            assertEquals("listpackex", copy.run("OBJECT", "ENCODING", "h"));
        }

        @Test
        void expiriesAlreadyPastWhenReplayedAreKeptUntilTheLoggedHdel() {
            h.run("HSET", "h", "a", "1", "b", "2");
            h.run("HPEXPIRE", "h", "100", "FIELDS", "2", "a", "b");
            h.advance(101);
            h.run("HGET", "h", "a");
            EngineHarness later = StoredRecords.replayed(h, 60_000);
            assertEquals(0L, later.run("EXISTS", "h"), "the logged HDELs deleted both fields");
        }
    }
}
