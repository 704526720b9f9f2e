package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted-set reply shapes in RESP2 and RESP3 for what zsets.golden cannot record from Redis 7.0.15:
 * random replies (ZRANDMEMBER, ZSCAN of a skiplist), Redis 7.2's ZRANK WITHSCORE, and the error
 * texts again in RESP3. Each test runs once per protocol, in both encodings where it matters.
 */
class ZSetRepliesTest {

    private static EngineHarness harness(int protocol, boolean skiplist) {
        ServerConfig config = new ServerConfig();
        if (skiplist) {
            config.set("zset-max-listpack-entries", "0", false);
        }
        return new EngineHarness(protocol, config);
    }

    /** The (member, score) pairs of a WITHSCORES reply, flat in RESP2 or paired in RESP3. */
    private static List<Object[]> pairs(int protocol, Object reply) {
        List<?> items = (List<?>) reply;
        List<Object[]> pairs = new ArrayList<>();
        if (protocol == 2) {
            for (int i = 0; i < items.size(); i += 2) {
                pairs.add(new Object[]{items.get(i), Double.valueOf(items.get(i + 1).toString())});
            }
        } else {
            for (Object item : items) {
                List<?> pair = (List<?>) item;
                assertEquals(2, pair.size());
                pairs.add(new Object[]{pair.get(0), pair.get(1)});
            }
        }
        return pairs;
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zrankWithScoreAsRedis72(int protocol) {
        for (boolean skiplist : new boolean[]{false, true}) {
            EngineHarness h = harness(protocol, skiplist);
            h.run("ZADD", "z", "1.5", "a", "2", "b", "3", "c");
            assertEquals(List.of(0L, 1.5), h.run("ZRANK", "z", "a", "WITHSCORE"));
            assertEquals(List.of(2L, 1.5), h.run("ZREVRANK", "z", "a", "withscore"));
            assertEquals(List.of(0L, 3.0), h.run("ZREVRANK", "z", "c", "WITHSCORE"));
            assertNull(h.run("ZRANK", "z", "nosuch", "WITHSCORE"));
            assertNull(h.run("ZRANK", "missing", "a", "WITHSCORE"));
            assertEquals(1L, h.run("ZRANK", "z", "b"));
            assertEquals(err(Errors.SYNTAX), h.run("ZRANK", "z", "a", "WITHSCORES"));
            assertEquals(err("ERR wrong number of arguments for 'zrevrank' command"),
                    h.run("ZREVRANK", "z", "a", "WITHSCORE", "x"));
            h.run("SET", "s", "v");
            assertEquals(err(Errors.WRONGTYPE), h.run("ZRANK", "s", "a", "WITHSCORE"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zrandmemberShapes(int protocol) {
        for (boolean skiplist : new boolean[]{false, true}) {
            EngineHarness h = harness(protocol, skiplist);
            Map<String, Double> scores = new HashMap<>();
            List<String> args = new ArrayList<>(List.of("ZADD", "z"));
            for (int i = 0; i < 40; i++) {
                scores.put("m" + i, i + 0.5);
                args.add(Double.toString(i + 0.5));
                args.add("m" + i);
            }
            h.run(args.toArray(new String[0]));
            assertTrue(scores.containsKey((String) h.run("ZRANDMEMBER", "z")));

            List<?> distinct = (List<?>) h.run("ZRANDMEMBER", "z", "10");
            assertEquals(10, new HashSet<>(distinct).size());
            assertTrue(scores.keySet().containsAll(distinct));

            List<Object[]> withScores = pairs(protocol, h.run("ZRANDMEMBER", "z", "25", "WITHSCORES"));
            assertEquals(25, withScores.size());
            Set<Object> members = new HashSet<>();
            for (Object[] pair : withScores) {
                assertEquals(scores.get((String) pair[0]), pair[1]);
                members.add(pair[0]);
            }
            assertEquals(25, members.size());

            List<Object[]> repeats = pairs(protocol, h.run("ZRANDMEMBER", "z", "-100", "WITHSCORES"));
            assertEquals(100, repeats.size());
            for (Object[] pair : repeats) {
                assertEquals(scores.get((String) pair[0]), pair[1]);
            }
            assertEquals(200, ((List<?>) h.run("ZRANDMEMBER", "z", "-200")).size());
            List<Object[]> all = pairs(protocol, h.run("ZRANDMEMBER", "z", "40", "WITHSCORES"));
            assertEquals("m39", all.get(0)[0], "the whole set comes from the top");
            assertEquals("m0", all.get(39)[0]);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zscanOfASkiplistVisitsEveryMemberThroughItsCursor(int protocol) {
        EngineHarness h = harness(protocol, true);
        List<String> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 1000; i++) {
            args.add(i % 2 == 0 ? Integer.toString(i) : i + ".25");
            args.add("member:" + i);
        }
        h.run(args.toArray(new String[0]));
        Map<String, String> seen = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<?> reply = (List<?>) h.run("ZSCAN", "z", cursor, "COUNT", "37");
            cursor = (String) reply.get(0);
            List<?> items = (List<?>) reply.get(1);
            assertTrue(items.size() >= 2 * 37 || cursor.equals("0"), "a call returns about COUNT members");
            for (int i = 0; i < items.size(); i += 2) {
                seen.put((String) items.get(i), (String) items.get(i + 1));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 10);
        assertEquals(1000, seen.size());
        assertEquals("4", seen.get("member:4"));
        assertEquals("5.25", seen.get("member:5"));

        List<?> matched = (List<?>) ((List<?>) h.run("ZSCAN", "z", "0", "MATCH", "member:99*", "COUNT", "2000")).get(1);
        assertEquals(22, matched.size(), "member:99 and member:990..999, with their scores");
        int at = matched.indexOf("member:99");
        assertEquals("99.25", matched.get(at + 1));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scoresAreDoublesInBothProtocols(int protocol) {
        EngineHarness h = harness(protocol, false);
        assertEquals(1.5, h.run("ZINCRBY", "z", "1.5", "a"));
        assertEquals(Double.POSITIVE_INFINITY, h.run("ZADD", "z", "INCR", "inf", "a"));
        assertEquals(Double.POSITIVE_INFINITY, h.run("ZSCORE", "z", "a"));
        assertEquals(List.of(Double.POSITIVE_INFINITY), h.run("ZMSCORE", "z", "a"));
        assertEquals(err(Errors.SCORE_NAN), h.run("ZINCRBY", "z", "-inf", "a"));
        assertEquals(Double.POSITIVE_INFINITY, h.run("ZSCORE", "z", "a"), "unchanged by the NaN");
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void errorTextsAreTheSameInBothProtocols(int protocol) {
        EngineHarness h = harness(protocol, false);
        h.run("ZADD", "z", "1", "a");
        h.run("SET", "s", "v");
        assertEquals(err(Errors.ZADD_XX_AND_NX), h.run("ZADD", "z", "NX", "XX", "1", "a"));
        assertEquals(err(Errors.GT_LT_NX), h.run("ZADD", "z", "GT", "LT", "1", "a"));
        assertEquals(err(Errors.ZADD_INCR_ONE_PAIR), h.run("ZADD", "z", "INCR", "1", "a", "2", "b"));
        assertEquals(err(Errors.NOT_FLOAT), h.run("ZADD", "s", "nan", "a"), "scores before the type");
        assertEquals(err(Errors.MIN_MAX_NOT_FLOAT), h.run("ZCOUNT", "z", "(x", "1"));
        assertEquals(err(Errors.MIN_MAX_NOT_LEX), h.run("ZLEXCOUNT", "z", "a", "+"));
        assertEquals(err(Errors.LIMIT_NEEDS_BYSCORE_OR_BYLEX), h.run("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"));
        assertEquals(err(Errors.WITHSCORES_WITH_BYLEX), h.run("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"));
        assertEquals(err(Errors.MUST_BE_POSITIVE), h.run("ZPOPMIN", "z", "-1"));
        assertEquals(err(Errors.NUMKEYS_NOT_POSITIVE), h.run("ZMPOP", "0", "z", "MIN"));
        assertEquals(err(Errors.MPOP_COUNT_NOT_POSITIVE), h.run("ZMPOP", "1", "z", "MIN", "COUNT", "0"));
        assertEquals(err(Errors.WEIGHT_NOT_FLOAT), h.run("ZUNION", "1", "z", "WEIGHTS", "x"));
        assertEquals(err(Errors.LIMIT_NEGATIVE), h.run("ZINTERCARD", "1", "z", "LIMIT", "-1"));
        assertEquals(err("ERR at least 1 input key is needed for 'zinterstore' command"),
                h.run("ZINTERSTORE", "d", "0", "z"));
        assertEquals(err(Errors.SRANDMEMBER_COUNT_RANGE), h.run("ZRANDMEMBER", "z", "-9223372036854775808"));
        assertEquals(err(Errors.VALUE_OUT_OF_RANGE), h.run("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"));
        assertEquals(err(Errors.SCAN_CURSOR), h.run("ZSCAN", "z", "x"));
        assertEquals(err(Errors.WRONGTYPE), h.run("ZUNION", "2", "z", "s"));
        assertEquals(err(Errors.WRONGTYPE), h.run("ZRANGESTORE", "d", "s", "0", "-1"));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void aRandomReplyTooLongToWriteIsRefused(int protocol) {
        EngineHarness h = harness(protocol, false);
        h.run("ZADD", "z", "1", "a");
        assertEquals(err(Errors.SRANDMEMBER_COUNT_TOO_LARGE), h.run("ZRANDMEMBER", "z", "-4000000000"));
    }
}
