package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.millrace.engine.commands.StoredRecords.record;
import static dev.millrace.engine.commands.StoredRecords.logged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted-set commands beyond their replies (zsets.golden checks those byte for byte against Redis
 * 7.0.15): the effects they log, replaying the log, TTLs, the encodings and their thresholds, and the
 * pages of the skiplist form. The effects were checked against redis-server 7.0.15's AOF: every
 * command logs its own argv when it changed something (ZADD INCR and ZINCRBY too), ZMPOP logs
 * ZPOPMIN/ZPOPMAX key count, and a command that changed nothing logs nothing.
 */
class ZSetCommandsTest {
    private final EngineHarness h = new EngineHarness();

    private static EngineHarness withListpackEntries(int entries) {
        ServerConfig config = new ServerConfig();
        config.set("zset-max-listpack-entries", Integer.toString(entries), false);
        return new EngineHarness(2, config);
    }

    @Nested
    class Effects {
        @Test
        void writesLogTheirOwnArgv() {
            h.run("ZADD", "z", "1", "a", "2", "b", "3", "c");
            h.run("ZADD", "z", "INCR", "5", "a");
            h.run("ZINCRBY", "z", "1.5", "b");
            h.run("ZREM", "z", "c", "nosuch");
            h.run("ZPOPMIN", "z");
            h.run("ZRANGESTORE", "d", "z", "0", "-1");
            h.run("ZUNIONSTORE", "u", "2", "z", "d", "WEIGHTS", "1", "2");
            h.run("ZREMRANGEBYSCORE", "u", "-inf", "+inf");
            assertEquals(List.of(
                    "0:ZADD z 1 a 2 b 3 c",
                    "0:ZADD z INCR 5 a",
                    "0:ZINCRBY z 1.5 b",
                    "0:ZREM z c nosuch",
                    "0:ZPOPMIN z",
                    "0:ZRANGESTORE d z 0 -1",
                    "0:ZUNIONSTORE u 2 z d WEIGHTS 1 2",
                    "0:ZREMRANGEBYSCORE u -inf +inf"), h.effects());
        }

        @Test
        void zmpopLogsThePopItDid() {
            h.run("ZADD", "z", "1", "a", "2", "b", "3", "c");
            h.logged.clear();
            h.run("ZMPOP", "2", "missing", "z", "MAX", "COUNT", "2");
            h.run("ZMPOP", "1", "z", "MIN");
            h.run("ZMPOP", "1", "z", "MIN");
            assertEquals(List.of("0:ZPOPMAX z 2", "0:ZPOPMIN z 1"), h.effects());
        }

        @Test
        void writesThatChangeNothingLogNothing() {
            h.run("ZADD", "z", "1", "a", "2", "b");
            h.run("SET", "s", "v");
            h.logged.clear();
            h.run("ZADD", "z", "1", "a");
            h.run("ZADD", "z", "NX", "5", "a");
            h.run("ZADD", "z", "XX", "5", "nosuch");
            h.run("ZADD", "z", "GT", "0", "a");
            h.run("ZADD", "missing", "XX", "1", "a");
            h.run("ZADD", "z", "-0", "a0", "0", "a0");
            h.logged.clear();
            h.run("ZADD", "z", "-0", "a0");
            h.run("ZINCRBY", "z", "0", "a");
            h.run("ZREM", "z", "nosuch");
            h.run("ZREM", "missing", "a");
            h.run("ZPOPMIN", "z", "0");
            h.run("ZPOPMIN", "missing");
            h.run("ZMPOP", "1", "missing", "MIN");
            h.run("ZREMRANGEBYRANK", "z", "5", "10");
            h.run("ZREMRANGEBYSCORE", "z", "100", "200");
            h.run("ZREMRANGEBYLEX", "z", "[x", "[y");
            h.run("ZRANGESTORE", "nothing", "z", "5", "10");
            h.run("ZINTERSTORE", "nothing", "2", "z", "missing");
            h.run("ZADD", "z", "x", "a");
            h.run("ZADD", "s", "1", "a");
            h.run("ZRANGE", "z", "0", "-1");
            h.run("ZRANDMEMBER", "z", "-5");
            assertEquals(List.of(), h.effects());
        }

        @Test
        void anEmptyResultDeletesTheDestinationAndLogsIt() {
            h.run("ZADD", "dst", "1", "a");
            h.logged.clear();
            assertEquals(0L, h.run("ZUNIONSTORE", "dst", "1", "missing"));
            assertEquals(0L, h.run("EXISTS", "dst"));
            assertEquals(List.of("0:ZUNIONSTORE dst 1 missing"), h.effects());
        }

        @ParameterizedTest
        @ValueSource(ints = {128, 3})
        void replayingTheLogRebuildsTheSameSets(int listpackEntries) {
            EngineHarness h = withListpackEntries(listpackEntries);
            Random r = new Random(listpackEntries);
            for (int i = 0; i < 400; i++) {
                String m = "m" + r.nextInt(30);
                String key = "z" + r.nextInt(3);
                switch (r.nextInt(9)) {
                    case 0, 1 -> h.run("ZADD", key, Double.toString(r.nextGaussian() * 10), m);
                    case 2 -> h.run("ZINCRBY", key, Double.toString(r.nextDouble() / 3), m);
                    case 3 -> h.run("ZADD", key, "GT", "CH", "INCR", Double.toString(r.nextGaussian()), m);
                    case 4 -> h.run("ZREM", key, m);
                    case 5 -> h.run("ZMPOP", "2", key, "z" + r.nextInt(3), r.nextBoolean() ? "MIN" : "MAX", "COUNT", "2");
                    case 6 -> h.run("ZUNIONSTORE", "z" + r.nextInt(3), "2", key, "z" + r.nextInt(3), "WEIGHTS", "0.5", "3");
                    case 7 -> h.run("ZRANGESTORE", "z" + r.nextInt(3), key, "(0", "+inf", "BYSCORE", "LIMIT", "1", "5");
                    default -> h.run("ZREMRANGEBYRANK", key, "0", Integer.toString(r.nextInt(3)));
                }
            }
            // replayed under the same encoding thresholds
            EngineHarness copy = withListpackEntries(listpackEntries);
            copy.engine.replay(logged(h));
            for (String key : List.of("z0", "z1", "z2")) {
                assertEquals(h.run("ZRANGE", key, "0", "-1", "WITHSCORES"), copy.run("ZRANGE", key, "0", "-1", "WITHSCORES"));
                assertEquals(h.run("OBJECT", "ENCODING", key), copy.run("OBJECT", "ENCODING", key));
            }
        }
    }

    @Nested
    class Lifetimes {
        @Test
        void changesKeepTheTtlAndStoresDropIt() {
            h.run("ZADD", "z", "1", "a");
            h.run("PEXPIRE", "z", "100000");
            h.run("ZADD", "z", "2", "b");
            h.run("ZINCRBY", "z", "1", "a");
            h.run("ZREM", "z", "b");
            assertTrue((Long) h.run("PTTL", "z") > 0);
            h.run("ZADD", "dst", "1", "x");
            h.run("EXPIRE", "dst", "100");
            h.run("ZUNIONSTORE", "dst", "1", "z");
            assertEquals(-1L, h.run("TTL", "dst"));
            h.run("EXPIRE", "dst", "100");
            h.run("ZRANGESTORE", "dst", "z", "0", "-1");
            assertEquals(-1L, h.run("TTL", "dst"));
        }

        @Test
        void anExpiredSetIsGoneForEveryCommand() {
            h.run("ZADD", "z", "1", "a");
            h.run("PEXPIRE", "z", "10");
            h.advance(11);
            assertEquals(0L, h.run("ZCARD", "z"));
            assertNull(h.run("ZSCORE", "z", "a"));
            assertEquals(0L, h.run("ZADD", "z", "XX", "CH", "2", "a"), "XX finds nothing to update");
            assertEquals(0L, h.run("EXISTS", "z"));
        }

        @Test
        void removingTheLastMemberDeletesTheKey() {
            h.run("ZADD", "z", "1", "a", "2", "b");
            h.run("ZREM", "z", "a", "b");
            assertEquals(0L, h.run("EXISTS", "z"));
            h.run("ZADD", "z", "1", "a");
            h.run("ZPOPMAX", "z");
            assertEquals(0L, h.run("EXISTS", "z"));
            h.run("ZADD", "z", "1", "a");
            h.run("ZREMRANGEBYLEX", "z", "-", "+");
            assertEquals(0L, h.run("EXISTS", "z"));
        }
    }

    @Nested
    class Encodings {
        @Test
        void listpackUpTo128MembersOf64Bytes() {
            for (int i = 0; i < 128; i++) {
                h.run("ZADD", "z", Integer.toString(i), "m" + i);
            }
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "z"));
            assertFalse(record(h, "z").paged());
            h.run("ZADD", "z", "1", "m128");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "z"));
            assertTrue(record(h, "z").paged());
            h.run("ZREMRANGEBYRANK", "z", "0", "-2");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "z"), "never back");
            h.run("ZADD", "long", "1", "x".repeat(64));
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "long"));
            h.run("ZADD", "long", "1", "x".repeat(65));
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "long"));
        }

        @Test
        void thresholdsFollowConfigAndItsZiplistAliases() {
            h.run("CONFIG", "SET", "zset-max-ziplist-entries", "2");
            h.run("CONFIG", "SET", "zset-max-ziplist-value", "3");
            h.run("ZADD", "a", "1", "x", "2", "y");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "a"));
            h.run("ZADD", "a", "3", "z");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "a"));
            h.run("ZADD", "b", "1", "long");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "b"), "first member too long");
            h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
            h.run("ZADD", "c", "1", "x");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "c"), "listpacks disabled");
        }

        @Test
        void storedResultsAreListpacksWhenTheyFit() {
            h.run("CONFIG", "SET", "zset-max-listpack-entries", "3");
            h.run("ZADD", "big", "1", "a", "2", "b", "3", "c", "4", "d");
            h.run("ZRANGESTORE", "small", "big", "0", "2");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "small"));
            h.run("ZUNIONSTORE", "union", "1", "big");
            assertEquals("skiplist", h.run("OBJECT", "ENCODING", "union"));
            h.run("ZINTERSTORE", "inter", "2", "big", "small");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "inter"));
        }

        @Test
        void aSkiplistKeepsMinusZeroAndAListpackDoesNot() {
            h.run("ZADD", "lp", "-0", "a");
            assertEquals(0.0, h.run("ZSCORE", "lp", "a"));
            h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
            h.run("ZADD", "sl", "-0", "a");
            assertEquals(-0.0, h.run("ZSCORE", "sl", "a"));
        }
    }

    /** Reads count keyspace hits and misses, writes do not: the counts redis-server 7.0.15 gave. */
    @Test
    void readsCountHitsAndMissesAsRedis() {
        h.run("ZADD", "z", "1", "a");
        h.run("ZUNIONSTORE", "d", "2", "z", "nokey");
        h.run("ZRANGESTORE", "d2", "z", "0", "-1");
        h.run("ZUNION", "2", "z", "nokey");
        h.run("ZINTERCARD", "1", "z");
        h.run("ZADD", "z", "2", "b");
        h.run("ZPOPMIN", "nokey");
        h.run("ZMPOP", "2", "nokey", "z", "MIN");
        h.run("ZREM", "z", "nokey");
        h.run("ZREMRANGEBYRANK", "nokey", "0", "1");
        h.run("ZRANDMEMBER", "z");
        h.run("ZSCAN", "z", "0");
        assertEquals(6, h.engine.keyspace().keyspaceHits());
        assertEquals(2, h.engine.keyspace().keyspaceMisses());
    }

    /** Values recorded from redis-server 7.0.15 for the same data (its listpack keeps -0 as 0). */
    @Test
    void debugDigestOfSortedSetsIsRedisDigest() {
        ServerConfig config = new ServerConfig();
        config.set("enable-debug-command", "yes", true);
        EngineHarness h = new EngineHarness(2, config);
        h.run("ZADD", "lp", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "0.1", "e");
        h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        h.run("ZADD", "sl", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "0.1", "e");
        assertEquals(List.of("9a96ecfbe3568ab8b868fe98687cfb53955ece76", "bbcd1db1fedbe1d48b2cceebf0e564b2d81ebc71"),
                h.run("DEBUG", "DIGEST-VALUE", "lp", "sl"));
        assertEquals("260dc24523201557c22e69120133d79b1a2015b4", h.run("DEBUG", "DIGEST"));
    }

    @Nested
    class LargeSets {
        private final EngineHarness small = withListpackEntries(16);

        private void fill(String key, int n) {
            List<String> args = new ArrayList<>(List.of("ZADD", key));
            for (int i = 0; i < n; i++) {
                args.add(Integer.toString(i));
                args.add("member:" + i);
            }
            small.run(args.toArray(new String[0]));
        }

        @Test
        void rangesCountsAndRemovalsOnTheSkiplistForm() {
            fill("z", 5000);
            assertEquals("skiplist", small.run("OBJECT", "ENCODING", "z"));
            assertEquals(List.of("member:2001", "member:2002"),
                    small.run("ZRANGE", "z", "(2000", "+inf", "BYSCORE", "LIMIT", "0", "2"));
            assertEquals(List.of("member:2999", 2999.0, "member:2998", 2998.0),
                    small.run("ZRANGE", "z", "(3000", "0", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"));
            assertEquals(1000L, small.run("ZCOUNT", "z", "1000", "(2000"));
            assertEquals(4321L, small.run("ZRANK", "z", "member:4321"));
            assertEquals(678L, small.run("ZREVRANK", "z", "member:4321"));
            assertEquals(1000L, small.run("ZREMRANGEBYSCORE", "z", "1000", "(2000"));
            assertEquals(4000L, small.run("ZCARD", "z"));
            assertNull(small.run("ZSCORE", "z", "member:1500"));
            assertEquals(1000L, small.run("ZRANK", "z", "member:2000"));
            assertEquals(10L, small.run("ZREMRANGEBYRANK", "z", "0", "9"));
            assertEquals(List.of("member:10", 10.0), small.run("ZPOPMIN", "z"));
            assertEquals(List.of("member:4999", 4999.0), small.run("ZPOPMAX", "z"));
            assertEquals(3988L, small.run("ZCARD", "z"));
        }

        @Test
        void lexRangesOnTheSkiplistForm() {
            List<String> args = new ArrayList<>(List.of("ZADD", "lex"));
            for (char c = 'a'; c <= 'z'; c++) {
                args.add("0");
                args.add(Character.toString(c));
            }
            small.run(args.toArray(new String[0]));
            assertEquals(List.of("d", "e", "f"), small.run("ZRANGEBYLEX", "lex", "(c", "[f"));
            assertEquals(List.of("f", "e"), small.run("ZREVRANGEBYLEX", "lex", "[f", "(c", "LIMIT", "0", "2"));
            assertEquals(3L, small.run("ZLEXCOUNT", "lex", "(c", "[f"));
            assertEquals(26L, small.run("ZLEXCOUNT", "lex", "-", "+"));
            assertEquals(23L, small.run("ZREMRANGEBYLEX", "lex", "(c", "+"));
            assertEquals(List.of("a", "b", "c"), small.run("ZRANGE", "lex", "0", "-1"));
        }

        @Test
        void pagesGoWithTheKey() {
            fill("z", 3000);
            assertTrue(small.store().pageCount() > 1);
            small.run("DEL", "z");
            assertEquals(0L, small.store().pageCount(), "deleted");
            fill("z", 3000);
            small.run("ZREMRANGEBYRANK", "z", "0", "-1");
            assertEquals(0L, small.run("EXISTS", "z"));
            assertEquals(0L, small.store().pageCount(), "emptied");
            fill("z", 3000);
            small.run("ZADD", "other", "1", "x");
            small.run("ZUNIONSTORE", "z", "1", "other");
            assertEquals("listpack", small.run("OBJECT", "ENCODING", "z"));
            assertEquals(0L, small.store().pageCount(), "overwritten");
        }

        @Test
        void aSkiplistSurvivesAccessClockStamps() {
            fill("z", 500);
            for (int i = 0; i < 5; i++) {
                small.advance(1500);
                assertEquals(500L, small.run("ZCARD", "z"));
                assertEquals(250L, small.run("ZRANK", "z", "member:250"));
            }
            assertTrue(small.store().pageCount() > 1);
        }

        @Test
        void copyAndRenameCarryTheSkiplist() {
            fill("z", 300);
            assertEquals(1L, small.run("COPY", "z", "c"));
            small.run("ZADD", "c", "-1", "first");
            assertEquals(300L, small.run("ZCARD", "z"));
            assertEquals(301L, small.run("ZCARD", "c"));
            small.run("RENAME", "c", "r");
            assertEquals(List.of("first", "member:0"), small.run("ZRANGE", "r", "0", "1"));
            small.run("DEL", "z", "r");
            assertEquals(0L, small.store().pageCount());
        }
    }
}
