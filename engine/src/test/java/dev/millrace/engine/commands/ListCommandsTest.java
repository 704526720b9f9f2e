package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list commands' replies and errors in RESP2 and RESP3, each in both storage forms: the small
 * (inline) form under the default list-max-listpack-size, and the large (paged) form with a bound of
 * one element, so every list of two or more lives in a PagedTree. The byte-for-byte comparison with
 * Redis 7.0.15 is protocol's compat/lists.txt; this checks meaning, the order of checks, and the
 * RESP2/RESP3 null shapes.
 */
class ListCommandsTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /** {protocol, list-max-listpack-size}: small form, large form, in RESP2 and RESP3. */
    static Stream<int[]> forms() {
        return Stream.of(new int[]{2, -2}, new int[]{2, 1}, new int[]{3, -2}, new int[]{3, 1});
    }

    private static EngineHarness harness(int[] form) {
        ServerConfig config = new ServerConfig();
        config.set("list-max-listpack-size", Integer.toString(form[1]), true);
        config.set("enable-debug-command", "yes", true);
        return new EngineHarness(form[0], config);
    }

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    private static boolean paged(EngineHarness h, String key) {
        return Record.isPaged(h.store().get(0, key.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void pushesReportTheLengthAndKeepOrder(int[] form) {
        EngineHarness h = harness(form);
        assertEquals(1L, h.run("LPUSH", "l", "a"));
        assertEquals(3L, h.run("RPUSH", "l", "b", "c"));
        assertEquals(6L, h.run("LPUSH", "l", "x", "y", "z"));
        assertEquals(list("z", "y", "x", "a", "b", "c"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(6L, h.run("LLEN", "l"));
        assertEquals(form[1] == 1, paged(h, "l"));
        assertEquals("list", h.run("TYPE", "l"));
        assertEquals("quicklist", h.run("OBJECT", "ENCODING", "l"));
        assertEquals(0L, h.run("LPUSHX", "missing", "a"));
        assertEquals(0L, h.run("RPUSHX", "missing", "a", "b"));
        assertEquals(0L, h.run("EXISTS", "missing"));
        assertEquals(8L, h.run("LPUSHX", "l", "p", "q"));
        assertEquals(9L, h.run("RPUSHX", "l", "r"));
        assertEquals(list("q", "p", "z", "y", "x", "a", "b", "c", "r"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(0L, h.run("LLEN", "missing"));
        assertEquals(err("ERR wrong number of arguments for 'lpush' command"), h.run("LPUSH", "l"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void rangesClampAndCountFromTheEnd(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertEquals(list("0"), h.run("LRANGE", "l", "0", "0"));
        assertEquals(list("7", "8", "9"), h.run("LRANGE", "l", "-3", "-1"));
        assertEquals(list("2", "3", "4"), h.run("LRANGE", "l", "2", "4"));
        assertEquals(list(), h.run("LRANGE", "l", "4", "2"));
        assertEquals(list(), h.run("LRANGE", "l", "10", "20"));
        assertEquals(list("9"), h.run("LRANGE", "l", "9", "20"));
        assertEquals(list("0", "1", "2"), h.run("LRANGE", "l", "-100", "2"));
        assertEquals(list(), h.run("LRANGE", "l", "-100", "-50"));
        assertEquals(10, ((List<?>) h.run("LRANGE", "l", "-9223372036854775808", "9223372036854775807")).size());
        assertEquals(list(), h.run("LRANGE", "missing", "0", "-1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LRANGE", "missing", "a", "1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LRANGE", "l", "1", "1.5"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lindexAndLset(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c");
        assertEquals("a", h.run("LINDEX", "l", "0"));
        assertEquals("c", h.run("LINDEX", "l", "-1"));
        assertEquals("a", h.run("LINDEX", "l", "-3"));
        assertNull(h.run("LINDEX", "l", "3"));
        assertNull(h.run("LINDEX", "l", "-4"));
        assertNull(h.run("LINDEX", "missing", "abc"), "the key is looked up before the index is parsed");
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LINDEX", "l", "abc"));
        assertEquals("OK", h.run("LSET", "l", "1", "B"));
        assertEquals("OK", h.run("LSET", "l", "-1", "a much longer element than the one it replaces"));
        assertEquals(list("a", "B", "a much longer element than the one it replaces"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(err("ERR index out of range"), h.run("LSET", "l", "3", "x"));
        assertEquals(err("ERR index out of range"), h.run("LSET", "l", "-4", "x"));
        assertEquals(err("ERR no such key"), h.run("LSET", "missing", "abc", "x"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LSET", "l", "abc", "x"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void popsWithAndWithoutCountHaveRedisNilShapes(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g");
        assertEquals("a", h.run("LPOP", "l"));
        assertEquals("g", h.run("RPOP", "l"));
        assertEquals(list("b", "c"), h.run("LPOP", "l", "2"));
        assertEquals(list("f", "e"), h.run("RPOP", "l", "2"));
        assertEquals(list(), h.run("LPOP", "l", "0"));
        assertEquals(list("d"), h.run("LPOP", "l", "100"));
        assertEquals(0L, h.run("EXISTS", "l"), "an emptied list is deleted");
        // Missing key: nil bulk without a count, nil array with one (both _ in RESP3), even for 0.
        assertNull(h.run("LPOP", "l"));
        assertNull(h.run("LPOP", "l", "0"));
        assertNull(h.run("RPOP", "l", "3"));
        assertEquals(err("ERR value is out of range, must be positive"), h.run("LPOP", "missing", "-1"));
        assertEquals(err("ERR value is out of range, must be positive"), h.run("RPOP", "missing", "x"));
        assertEquals(err("ERR wrong number of arguments for 'lpop' command"), h.run("LPOP", "l", "1", "2"));
        assertEquals(err("ERR wrong number of arguments for 'rpop' command"), h.run("RPOP", "l", "1", "2"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void ltrimKeepsARangeAndDeletesAnEmptiedList(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertEquals("OK", h.run("LTRIM", "l", "1", "-2"));
        assertEquals(list("1", "2", "3", "4", "5", "6", "7", "8"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals("OK", h.run("LTRIM", "l", "2", "2"));
        assertEquals(list("3"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals("OK", h.run("LTRIM", "l", "5", "10"));
        assertEquals(0L, h.run("EXISTS", "l"));
        assertEquals("OK", h.run("LTRIM", "missing", "0", "1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LTRIM", "missing", "a", "1"));
        h.run("RPUSH", "l", "a", "b", "c");
        assertEquals("OK", h.run("LTRIM", "l", "-100", "100"));
        assertEquals(list("a", "b", "c"), h.run("LRANGE", "l", "0", "-1"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void linsertFindsTheFirstPivot(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c", "b");
        assertEquals(5L, h.run("LINSERT", "l", "BEFORE", "b", "x"));
        assertEquals(6L, h.run("LINSERT", "l", "after", "b", "y"));
        assertEquals(list("a", "x", "b", "y", "c", "b"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(-1L, h.run("LINSERT", "l", "BEFORE", "nope", "z"));
        assertEquals(0L, h.run("LINSERT", "missing", "BEFORE", "a", "b"));
        assertEquals(err("ERR syntax error"), h.run("LINSERT", "missing", "MIDDLE", "a", "b"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lremFromEitherEnd(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a");
        assertEquals(2L, h.run("LREM", "l", "2", "a"));
        assertEquals(list("b", "c", "a", "b", "a"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(1L, h.run("LREM", "l", "-1", "a"));
        assertEquals(list("b", "c", "a", "b"), h.run("LRANGE", "l", "0", "-1"));
        assertEquals(2L, h.run("LREM", "l", "0", "b"));
        assertEquals(0L, h.run("LREM", "l", "0", "nope"));
        assertEquals(1L, h.run("LREM", "l", "-9223372036854775808", "a"));
        assertEquals(1L, h.run("LREM", "l", "1", "c"));
        assertEquals(0L, h.run("EXISTS", "l"));
        assertEquals(0L, h.run("LREM", "missing", "0", "a"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LREM", "missing", "x", "a"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lposRankCountAndMaxlen(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a");
        assertEquals(0L, h.run("LPOS", "l", "a"));
        assertNull(h.run("LPOS", "l", "nope"));
        assertEquals(3L, h.run("LPOS", "l", "a", "RANK", "2"));
        assertNull(h.run("LPOS", "l", "a", "RANK", "4"));
        assertEquals(6L, h.run("LPOS", "l", "a", "RANK", "-1"));
        assertEquals(0L, h.run("LPOS", "l", "a", "RANK", "-3"));
        assertEquals(list(0L, 3L, 6L), h.run("LPOS", "l", "a", "COUNT", "0"));
        assertEquals(list(0L, 3L), h.run("LPOS", "l", "a", "COUNT", "2"));
        assertEquals(list(), h.run("LPOS", "l", "nope", "COUNT", "0"));
        assertEquals(list(6L, 3L), h.run("LPOS", "l", "a", "RANK", "-1", "COUNT", "2"));
        assertEquals(list(3L, 6L), h.run("LPOS", "l", "a", "RANK", "2", "COUNT", "0"));
        assertEquals(0L, h.run("LPOS", "l", "a", "MAXLEN", "1"));
        assertNull(h.run("LPOS", "l", "c", "MAXLEN", "2"));
        assertEquals(list(0L, 3L), h.run("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"));
        // Redis negates LONG_MIN to itself: the rank stays negative and the first match from the tail wins.
        assertEquals(6L, h.run("LPOS", "l", "a", "RANK", "-9223372036854775808"));
        assertNull(h.run("LPOS", "missing", "a"));
        assertEquals(list(), h.run("LPOS", "missing", "a", "COUNT", "1"));
        assertEquals(err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
                h.run("LPOS", "missing", "a", "RANK", "0"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("LPOS", "l", "a", "RANK", "x"));
        assertEquals(err("ERR COUNT can't be negative"), h.run("LPOS", "l", "a", "COUNT", "x"));
        assertEquals(err("ERR MAXLEN can't be negative"), h.run("LPOS", "l", "a", "MAXLEN", "-1"));
        assertEquals(err("ERR syntax error"), h.run("LPOS", "l", "a", "RANK"));
        assertEquals(err("ERR syntax error"), h.run("LPOS", "l", "a", "FOO", "1"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lmoveAndRpoplpush(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c");
        assertEquals("a", h.run("LMOVE", "l", "d", "LEFT", "RIGHT"));
        assertEquals("c", h.run("LMOVE", "l", "d", "RIGHT", "LEFT"));
        assertEquals(list("c", "a"), h.run("LRANGE", "d", "0", "-1"));
        assertEquals("b", h.run("RPOPLPUSH", "l", "d"));
        assertEquals(0L, h.run("EXISTS", "l"));
        assertEquals(list("b", "c", "a"), h.run("LRANGE", "d", "0", "-1"));
        assertEquals("b", h.run("LMOVE", "d", "d", "LEFT", "RIGHT"), "a list rotates onto itself");
        assertEquals("b", h.run("RPOPLPUSH", "d", "d"));
        assertEquals(list("b", "c", "a"), h.run("LRANGE", "d", "0", "-1"));
        assertNull(h.run("LMOVE", "missing", "d", "LEFT", "RIGHT"));
        assertNull(h.run("RPOPLPUSH", "missing", "d"));
        assertEquals(err("ERR syntax error"), h.run("LMOVE", "d", "x", "UP", "RIGHT"));
        assertEquals(err("ERR syntax error"), h.run("LMOVE", "d", "x", "LEFT", "DOWN"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lmpopPopsFromTheFirstNonEmptyList(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c", "d", "e");
        h.run("RPUSH", "d", "1", "2");
        assertEquals(list("l", list("a")), h.run("LMPOP", "1", "l", "LEFT"));
        assertEquals(list("l", list("e", "d")), h.run("LMPOP", "2", "missing", "l", "RIGHT", "COUNT", "2"));
        assertEquals(list("l", list("b", "c")), h.run("LMPOP", "2", "l", "d", "left", "count", "10"));
        assertEquals(list("d", list("1")), h.run("LMPOP", "2", "l", "d", "LEFT"));
        assertNull(h.run("LMPOP", "1", "missing", "LEFT"));
        assertEquals(err("ERR numkeys should be greater than 0"), h.run("LMPOP", "0", "l", "LEFT"));
        assertEquals(err("ERR numkeys should be greater than 0"), h.run("LMPOP", "x", "l", "LEFT"));
        assertEquals(err("ERR syntax error"), h.run("LMPOP", "2", "l", "LEFT"));
        assertEquals(err("ERR syntax error"), h.run("LMPOP", "9223372036854775807", "l", "LEFT"));
        assertEquals(err("ERR syntax error"), h.run("LMPOP", "1", "l", "MIDDLE"));
        assertEquals(err("ERR count should be greater than 0"), h.run("LMPOP", "1", "l", "LEFT", "COUNT", "0"));
        assertEquals(err("ERR syntax error"), h.run("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"));
        assertEquals(err("ERR syntax error"), h.run("LMPOP", "1", "l", "LEFT", "COUNT"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void blockingCommandsPopAtOnceWhenAListHasElements(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h");
        assertEquals(list("l", "a"), h.run("BLPOP", "missing", "l", "0"));
        assertEquals(list("l", "h"), h.run("BRPOP", "l", "1.5"));
        assertEquals(list("l", list("b", "c")), h.run("BLMPOP", "0", "2", "missing", "l", "LEFT", "COUNT", "2"));
        assertEquals("d", h.run("BLMOVE", "l", "d", "LEFT", "RIGHT", "0"));
        assertEquals("g", h.run("BRPOPLPUSH", "l", "d", "0"));
        assertEquals(list("g", "d"), h.run("LRANGE", "d", "0", "-1"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void blockingArgumentErrorsComeInRedisOrder(int[] form) {
        EngineHarness h = harness(form);
        h.run("SET", "s", "v");
        assertEquals(err("ERR timeout is not a float or out of range"), h.run("BLPOP", "s", "abc"));
        assertEquals(err("ERR timeout is negative"), h.run("BLPOP", "s", "-1"));
        assertEquals(err("ERR timeout is negative"), h.run("BRPOP", "s", "inf"), "an infinity reads as a negative integer on x86");
        assertEquals(err("ERR timeout is negative"), h.run("BRPOP", "s", "1e20"));
        assertEquals(err("ERR timeout is negative"), h.run("BRPOP", "s", "9223372036854775.808"), "2^63 ms and more");
        assertEquals(err("ERR timeout is not a float or out of range"), h.run("BLPOP", "s", "nan"));
        assertEquals(err("ERR timeout is not a float or out of range"), h.run("BLPOP", "s", " 1"));
        assertEquals(err(WRONGTYPE), h.run("BLPOP", "s", "0"));
        assertEquals(err("ERR syntax error"), h.run("BLMOVE", "s", "d", "UP", "RIGHT", "x"));
        assertEquals(err("ERR timeout is not a float or out of range"), h.run("BLMOVE", "s", "d", "LEFT", "RIGHT", "x"));
        assertEquals(err(WRONGTYPE), h.run("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"));
        assertEquals(err("ERR timeout is negative"), h.run("BRPOPLPUSH", "s", "d", "-1"));
        assertEquals(err("ERR numkeys should be greater than 0"), h.run("BLMPOP", "x", "0", "s", "LEFT"));
        assertEquals(err("ERR syntax error"), h.run("BLMPOP", "x", "1", "s", "MIDDLE"));
        assertEquals(err("ERR count should be greater than 0"), h.run("BLMPOP", "x", "1", "s", "LEFT", "COUNT", "0"));
        assertEquals(err("ERR timeout is not a float or out of range"), h.run("BLMPOP", "x", "1", "s", "LEFT"));
        assertEquals(err(WRONGTYPE), h.run("BLMPOP", "0", "1", "s", "LEFT"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void everyCommandChecksTheType(int[] form) {
        EngineHarness h = harness(form);
        h.run("SET", "s", "v");
        h.run("RPUSH", "l", "a", "b");
        List<String[]> commands = List.of(
                new String[]{"LPUSH", "s", "a"}, new String[]{"RPUSH", "s", "a"}, new String[]{"LPUSHX", "s", "a"},
                new String[]{"RPUSHX", "s", "a"}, new String[]{"LPOP", "s"}, new String[]{"RPOP", "s", "0"},
                new String[]{"LLEN", "s"}, new String[]{"LINDEX", "s", "x"}, new String[]{"LSET", "s", "x", "x"},
                new String[]{"LRANGE", "s", "0", "1"}, new String[]{"LTRIM", "s", "0", "1"},
                new String[]{"LINSERT", "s", "BEFORE", "a", "b"}, new String[]{"LREM", "s", "0", "a"},
                new String[]{"LPOS", "s", "a"}, new String[]{"LMOVE", "s", "d", "LEFT", "RIGHT"},
                new String[]{"LMOVE", "l", "s", "LEFT", "RIGHT"}, new String[]{"RPOPLPUSH", "l", "s"},
                new String[]{"LMPOP", "2", "missing", "s", "LEFT"}, new String[]{"BLPOP", "missing", "s", "0"},
                new String[]{"BRPOPLPUSH", "l", "s", "0"});
        List<Object> replies = new ArrayList<>();
        for (String[] command : commands) {
            replies.add(h.run(command));
        }
        assertEquals(commands.stream().map(c -> err(WRONGTYPE)).toList(), replies);
        assertEquals(list("a", "b"), h.run("LRANGE", "l", "0", "-1"), "a move to a string moves nothing");
        assertEquals(list("l", list("a")), h.run("LMPOP", "2", "l", "s", "LEFT"), "a list before the string is served");
        assertEquals(list("l", "b"), h.run("BLPOP", "l", "s", "0"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aChangedListKeepsItsTtl(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "c");
        h.run("EXPIRE", "l", "100");
        h.run("RPUSH", "l", "d");
        h.run("LPOP", "l");
        h.run("LSET", "l", "0", "x");
        assertEquals(100L, h.run("TTL", "l"));
        h.run("RENAME", "l", "m");
        assertEquals(list("x", "c", "d"), h.run("LRANGE", "m", "0", "-1"));
        assertEquals(1L, h.run("COPY", "m", "n"));
        h.run("RPUSH", "n", "e");
        assertEquals(list("x", "c", "d"), h.run("LRANGE", "m", "0", "-1"), "a copy is independent of its source");
        assertEquals(list("x", "c", "d", "e"), h.run("LRANGE", "n", "0", "-1"));
        h.advance(100_001);
        assertEquals(0L, h.run("LLEN", "m"));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void binaryAndEmptyElements(int[] form) {
        EngineHarness h = harness(form);
        byte[] binary = {0, (byte) 0xff, '\r', '\n'};
        h.run(new byte[][]{"RPUSH".getBytes(), "l".getBytes(), binary, new byte[0], new byte[300]});
        assertEquals(new String(binary, StandardCharsets.ISO_8859_1), h.run("LINDEX", "l", "0"));
        assertEquals("", h.run("LINDEX", "l", "1"));
        assertEquals(300, ((String) h.run("LINDEX", "l", "2")).length());
        assertEquals(1L, h.run("LPOS", "l", ""));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void countsChangesAsRedisDoes(int[] form) {
        EngineHarness h = harness(form);
        long before = h.engine.keyspace().dirty();
        h.run("RPUSH", "l", "a", "b", "c", "d", "e");
        h.run("LPOP", "l", "2");
        h.run("LTRIM", "l", "0", "-1");
        h.run("LREM", "l", "0", "e");
        h.run("LMOVE", "l", "m", "LEFT", "RIGHT");
        assertEquals(5 + 2 + 0 + 1 + 1, h.engine.keyspace().dirty() - before);
    }

    @ParameterizedTest
    @MethodSource("forms")
    void theSmallFormTurnsLargeWhenItOutgrowsOneNode(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a");
        assertEquals(false, paged(h, "l"));
        h.run("RPUSH", "l", "x".repeat(9000));
        assertTrue(paged(h, "l"), "an element beyond 8 KiB needs more than one listpack node");
        h.run("LPOP", "l");
        h.run("RPOP", "l");
        h.run("RPUSH", "l", "a");
        assertEquals(false, paged(h, "l"), "an emptied list was deleted: the new one starts small");
    }

    @ParameterizedTest
    @MethodSource("forms")
    void digestsAreRedisDigestsInEitherForm(int[] form) {
        EngineHarness h = harness(form);
        h.run("RPUSH", "l", "a", "b", "", "c");
        // DEBUG DIGEST-VALUE of the same list on redis-server 7.0.15, whatever its node size
        assertEquals(list("406bc1422844cc44ad4b16c7453db75cb3ff6edd"), h.run("DEBUG", "DIGEST-VALUE", "l"));
    }

    /**
     * Random pipelined batches of list commands on two keys, with renames and LMOVE between and within
     * the keys, leave the lists a plain model of them holds (in the large form, the node write-back
     * and the key record held back across commands and batches).
     */
    @ParameterizedTest
    @MethodSource("forms")
    void randomBatchesOfListCommandsMatchAModel(int[] form) {
        EngineHarness h = harness(form);
        Random random = new Random(form[0] * 31L + form[1]);
        Map<String, LinkedList<String>> model = new HashMap<>();
        String[] keys = {"a", "b"};
        for (int round = 0; round < 300; round++) {
            List<List<String>> batch = new ArrayList<>();
            int commands = 1 + random.nextInt(6);
            for (int c = 0; c < commands; c++) {
                batch.add(nextListCommand(random, keys, model));
            }
            h.runBatch(batch);
            for (String key : keys) {
                LinkedList<String> expected = model.getOrDefault(key, new LinkedList<>());
                assertEquals(expected, h.run("LRANGE", key, "0", "-1"), "list " + key + " after round " + round);
            }
        }
    }

    /** One random list command on {@code keys}, applied to {@code model} as Redis would apply it. */
    private static List<String> nextListCommand(Random random, String[] keys, Map<String, LinkedList<String>> model) {
        String key = keys[random.nextInt(keys.length)];
        String other = key.equals(keys[0]) ? keys[1] : keys[0];
        LinkedList<String> list = model.computeIfAbsent(key, k -> new LinkedList<>());
        String element = "e" + random.nextInt(1000);
        List<String> command;
        switch (random.nextInt(9)) {
            case 0, 1 -> { command = List.of("LPUSH", key, element); list.addFirst(element); }
            case 2 -> { command = List.of("RPUSH", key, element, element + "x"); list.addLast(element); list.addLast(element + "x"); }
            case 3 -> { command = List.of("LPOP", key); list.pollFirst(); }
            case 4 -> { command = List.of("RPOP", key); list.pollLast(); }
            case 5 -> {
                if (list.isEmpty()) {
                    command = List.of("LPUSH", key, element);
                    list.addFirst(element);
                } else {
                    int at = random.nextInt(list.size());
                    command = List.of("LSET", key, Integer.toString(at), element);
                    list.set(at, element);
                }
            }
            case 6 -> {
                String target = random.nextBoolean() ? key : other;
                command = List.of("LMOVE", key, target, "LEFT", "RIGHT");
                String moved = list.pollFirst();
                if (moved != null) {
                    model.computeIfAbsent(target, k -> new LinkedList<>()).addLast(moved);
                }
            }
            case 7 -> {
                command = List.of("RENAME", key, other);
                if (list.isEmpty()) {
                    command = List.of("LLEN", key); // RENAME of a missing key is an error: nothing changes
                } else {
                    model.put(other, list);
                    model.remove(key);
                }
            }
            default -> {
                command = List.of("LTRIM", key, "1", "-1");
                list.pollFirst();
            }
        }
        model.values().removeIf(List::isEmpty);
        return command;
    }
}
