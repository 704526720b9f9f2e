package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash commands beyond their replies (which hashes.golden checks byte for byte against Redis
 * 7.0.15 in RESP2 and RESP3): reply shapes through the reply vocabulary in both protocols, the
 * effects they log (checked against a redis-server 7.0.15 AOF: HINCRBYFLOAT became HSET of the
 * result, the others logged themselves, writes that changed nothing logged nothing), replay,
 * HRANDFIELD's random choices, OBJECT ENCODING and DEBUG DIGEST-VALUE.
 */
class HashCommandsTest {
    private final EngineHarness h = new EngineHarness();

    /**
     * A field-value reply as a flat list in its order: the reply vocabulary writes HGETALL as a map
     * in both protocols (the encoder flattens it for RESP2, which hashes.golden checks on the wire).
     */
    static List<Object> pairs(Object reply) {
        List<Object> flat = new ArrayList<>();
        assertInstanceOf(Map.class, reply);
        ((Map<?, ?>) reply).forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        return flat;
    }

    @Nested
    class Replies {
        @ParameterizedTest(name = "RESP{0}")
        @ValueSource(ints = {2, 3})
        void hgetallIsAMapInTheListpacksOrder(int protocol) {
            EngineHarness p = new EngineHarness(protocol);
            p.run("HSET", "h", "b", "2", "a", "1", "c", "3");
            assertEquals(List.of("b", "2", "a", "1", "c", "3"), pairs(p.run("HGETALL", "h")));
            assertEquals(Map.of(), p.run("HGETALL", "missing"));
            assertEquals(List.of("b", "a", "c"), p.run("HKEYS", "h"));
            assertEquals(List.of("2", "1", "3"), p.run("HVALS", "h"));
            assertEquals(java.util.Arrays.asList("1", null, "3"), p.run("HMGET", "h", "a", "x", "c"));
        }

        @ParameterizedTest(name = "RESP{0}")
        @ValueSource(ints = {2, 3})
        void hrandfieldWithValuesPairsFlatInResp2AndNestedInResp3(int protocol) {
            EngineHarness p = new EngineHarness(protocol);
            p.run("HSET", "h", "a", "1", "b", "2");
            Object pairs = p.run("HRANDFIELD", "h", "-3", "WITHVALUES");
            List<?> list = assertInstanceOf(List.class, pairs);
            if (protocol == 2) {
                assertEquals(6, list.size());
                for (int i = 0; i < 6; i += 2) {
                    assertEquals(list.get(i).equals("a") ? "1" : "2", list.get(i + 1));
                }
            } else {
                assertEquals(3, list.size());
                for (Object pair : list) {
                    List<?> fv = assertInstanceOf(List.class, pair);
                    assertEquals(fv.get(0).equals("a") ? "1" : "2", fv.get(1));
                }
            }
        }

        @Test
        void hscanOfASmallHashIsTheWholeHashWithCursorZero() {
            h.run("HSET", "h", "a1", "1", "b", "2", "a2", "3");
            assertEquals(List.of("0", List.of("a1", "1", "b", "2", "a2", "3")), h.run("HSCAN", "h", "0", "COUNT", "1"));
            assertEquals(List.of("0", List.of("a1", "1", "a2", "3")), h.run("HSCAN", "h", "0", "MATCH", "a*"));
            assertEquals(List.of("0", List.of()), h.run("HSCAN", "missing", "0", "COUNT", "nope"));
        }
    }

    @Nested
    class RandomFields {
        @Test
        void positiveCountsGiveDistinctFieldsAndNegativeCountsRepeat() {
            for (int i = 0; i < 20; i++) {
                h.run("HSET", "h", "f" + i, "v" + i);
            }
            for (int count = 1; count <= 20; count++) {
                List<?> fields = (List<?>) h.run("HRANDFIELD", "h", Integer.toString(count));
                assertEquals(count, fields.size());
                assertEquals(count, new HashSet<>(fields).size(), "distinct");
                assertTrue(fields.stream().allMatch(f -> ((String) f).matches("f\\d+")));
            }
            List<?> repeated = (List<?>) h.run("HRANDFIELD", "h", "-100");
            assertEquals(100, repeated.size());
            assertTrue(new HashSet<>(repeated).size() < 100, "with repetition");
        }

        @Test
        void distinctFieldsOfASmallHashKeepTheHashOrder() {
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                h.run("HSET", "h", "f" + (29 - i), "v");
                order.add("f" + (29 - i));
            }
            for (int round = 0; round < 20; round++) {
                List<?> picked = (List<?>) h.run("HRANDFIELD", "h", "7");
                List<Integer> positions = new ArrayList<>();
                picked.forEach(f -> positions.add(order.indexOf(f)));
                List<Integer> sorted = new ArrayList<>(positions);
                sorted.sort(null);
                assertEquals(sorted, positions);
            }
        }

        @Test
        void everyFieldIsChosenSometimes() {
            for (int i = 0; i < 10; i++) {
                h.run("HSET", "h", "f" + i, "v");
            }
            Set<Object> seen = new HashSet<>();
            for (int round = 0; round < 200 && seen.size() < 10; round++) {
                seen.add(h.run("HRANDFIELD", "h"));
            }
            assertEquals(10, seen.size());
        }
    }

    @Nested
    class Effects {
        @Test
        void deterministicWritesLogThemselves() {
            h.run("HSET", "h", "a", "1");
            h.run("HMSET", "h", "b", "2");
            h.run("HSETNX", "h", "c", "3");
            h.run("HINCRBY", "h", "a", "5");
            h.run("HDEL", "h", "b", "nope");
            assertEquals(List.of("0:HSET h a 1", "0:HMSET h b 2", "0:HSETNX h c 3", "0:HINCRBY h a 5",
                    "0:HDEL h b nope"), h.effects());
        }

        @Test
        void writesThatChangeNothingLogNothing() {
            h.run("HSET", "h", "a", "1");
            h.logged.clear();
            h.run("HSETNX", "h", "a", "2");
            h.run("HDEL", "h", "nope");
            h.run("HDEL", "missing", "a");
            h.run("HINCRBY", "h", "a", "x");
            h.run("HINCRBYFLOAT", "h", "a", "inf");
            h.run("HGET", "h", "a");
            h.run("HGETALL", "h");
            assertEquals(List.of(), h.effects());
        }

        @Test
        void hincrbyfloatLogsAnHsetOfItsResult() {
            h.run("HINCRBYFLOAT", "h", "f", "10.5");
            h.run("HINCRBYFLOAT", "h", "f", "0.25");
            h.run("HINCRBYFLOAT", "h", "f", "5.0e3");
            h.run("HINCRBYFLOAT", "h", "f", "-5010.75");
            assertEquals(List.of("0:HSET h f 10.5", "0:HSET h f 10.75", "0:HSET h f 5010.75", "0:HSET h f 0"),
                    h.effects());
        }

        @Test
        void hincrbyfloatOnAFieldWithAnExpiryLogsItselfSoTheExpiryIsKept() {
            h.run("HSET", "h", "f", "1", "g", "2");
            h.run("HPEXPIREAT", "h", Long.toString(h.time.get() + 60_000), "FIELDS", "1", "f");
            h.run("HINCRBYFLOAT", "h", "f", "0.5");
            List<String> effects = h.effects();
            assertEquals("0:HINCRBYFLOAT h f 0.5", effects.get(effects.size() - 1));
            EngineHarness copy = replayedFrom(h);
            assertEquals(List.of(60L), copy.run("HTTL", "h", "FIELDS", "1", "f"));
            assertEquals(pairs(h.run("HGETALL", "h")), pairs(copy.run("HGETALL", "h")));
        }

        @Test
        void replayRebuildsTheSameHashInTheSameOrder() {
            h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
            h.run("HDEL", "h", "b");
            h.run("HINCRBY", "h", "n", "7");
            h.run("HINCRBYFLOAT", "h", "x", "1.25");
            h.run("HSET", "h", "b", "again");
            h.run("HSETNX", "h", "a", "ignored");
            h.run("HMSET", "other", "k", "v");
            h.run("HDEL", "other", "k");
            EngineHarness copy = replayedFrom(h);
            assertEquals(List.of("a", "1", "c", "3", "n", "7", "x", "1.25", "b", "again"), pairs(copy.run("HGETALL", "h")));
            assertEquals(0L, copy.run("EXISTS", "other"));
            assertEquals(h.run("DEBUG", "DIGEST"), copy.run("DEBUG", "DIGEST"));
        }
    }

    /** Every effect h logged, replayed into a fresh engine at the same time. */
    static EngineHarness replayedFrom(EngineHarness h) {
        return replayed(h, 0);
    }

    @Nested
    class Keys {
        @Test
        void typeAndEncodingFollowTheThresholds() {
            h.run("HSET", "h", "a", "1");
            assertEquals("hash", h.run("TYPE", "h"));
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "h"));
        }

        @Test
        void theLastFieldRemovedDeletesTheKey() {
            h.run("HSET", "h", "a", "1", "b", "2");
            h.run("HDEL", "h", "a", "b");
            assertEquals(0L, h.run("EXISTS", "h"));
            assertEquals(0L, h.run("DBSIZE"));
        }

        @Test
        void aHashKeepsItsKeyTtlThroughWrites() {
            h.run("HSET", "h", "a", "1");
            h.run("EXPIRE", "h", "100");
            h.run("HSET", "h", "b", "2");
            h.run("HINCRBY", "h", "c", "1");
            h.run("HDEL", "h", "a");
            assertEquals(100L, h.run("TTL", "h"));
            h.advance(100_001);
            assertNull(h.run("HGET", "h", "b"));
            assertEquals(0L, h.run("EXISTS", "h"));
        }

        @Test
        void renameAndCopyCarryTheFields() {
            h.run("HSET", "h", "a", "1", "b", "2");
            h.run("RENAME", "h", "g");
            h.run("COPY", "g", "c");
            h.run("HSET", "c", "z", "26");
            assertEquals(List.of("a", "1", "b", "2"), pairs(h.run("HGETALL", "g")));
            assertEquals(List.of("a", "1", "b", "2", "z", "26"), pairs(h.run("HGETALL", "c")));
        }

        @Test
        void readsCountKeyspaceHitsAndMisses() {
            h.run("HSET", "h", "a", "1");
            long hits = h.engine.keyspace().keyspaceHits();
            long misses = h.engine.keyspace().keyspaceMisses();
            h.run("HGET", "h", "a");
            h.run("HLEN", "missing");
            assertEquals(hits + 1, h.engine.keyspace().keyspaceHits());
            assertEquals(misses + 1, h.engine.keyspace().keyspaceMisses());
        }
    }

    @Nested
    class Large {
        private void fill(EngineHarness e, String key, int n) {
            List<String> args = new ArrayList<>(List.of("HSET", key));
            for (int i = 0; i < n; i++) {
                args.add("f" + i);
                args.add("v" + i);
            }
            e.run(args.toArray(new String[0]));
        }

        @Test
        void convertsAtRedisThresholdsAndNeverBack() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "4");
            h.run("CONFIG", "SET", "hash-max-listpack-value", "8");
            h.run("HSET", "entries", "a", "1", "b", "2", "c", "3", "d", "4", "a", "again");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "entries"), "duplicates are not counted");
            h.run("HSET", "entries", "e", "5");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "entries"));
            h.run("HDEL", "entries", "a", "b", "c", "d");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "entries"));

            h.run("HSET", "value", "a", "123456789");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "value"));
            h.run("HSET", "name", "123456789", "a");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "name"));
            h.run("HSET", "nx", "a", "1");
            h.run("HSETNX", "nx", "a", "123456789");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "nx"), "HSETNX on an existing field converts nothing");
            h.run("HSETNX", "nx", "b", "123456789");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "nx"));
            h.run("HINCRBY", "incr", "123456789", "1");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "incr"));
            h.run("HINCRBYFLOAT", "float", "f", "1.5");
            h.run("HINCRBYFLOAT", "float", "f", "1e5");
            assertEquals("listpack", h.run("OBJECT", "ENCODING", "float"));
            h.run("HINCRBYFLOAT", "float", "f", "1e10");
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "float"), "10000100001.5 is longer than 8");
        }

        @Test
        void everyCommandWorksOnTheLargeForm() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "16");
            fill(h, "h", 1000);
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "h"));
            assertEquals(1000L, h.run("HLEN", "h"));
            assertEquals("v777", h.run("HGET", "h", "f777"));
            assertEquals(java.util.Arrays.asList("v1", null), h.run("HMGET", "h", "f1", "nope"));
            assertEquals(4L, h.run("HSTRLEN", "h", "f999"));
            assertEquals(1L, h.run("HEXISTS", "h", "f0"));
            assertEquals(0L, h.run("HSETNX", "h", "f0", "x"));
            assertEquals(10L, h.run("HINCRBY", "h", "n", "10"));
            assertEquals("0.5", h.run("HINCRBYFLOAT", "h", "x", "0.5"));
            assertEquals(3L, h.run("HDEL", "h", "n", "x", "f500", "nope"));
            assertEquals(999L, h.run("HLEN", "h"));
            Map<?, ?> all = (Map<?, ?>) h.run("HGETALL", "h");
            assertEquals(999, all.size());
            assertEquals("v3", all.get("f3"));
            assertEquals(999, ((List<?>) h.run("HKEYS", "h")).size());
            assertEquals(new HashSet<>(((List<?>) h.run("HKEYS", "h"))), all.keySet());
            List<?> picked = (List<?>) h.run("HRANDFIELD", "h", "50", "WITHVALUES");
            assertEquals(100, picked.size());
            Set<Object> names = new HashSet<>();
            for (int i = 0; i < 100; i += 2) {
                names.add(picked.get(i));
                assertEquals(all.get(picked.get(i)), picked.get(i + 1));
            }
            assertEquals(50, names.size(), "distinct");
            assertEquals(999, ((List<?>) h.run("HRANDFIELD", "h", "5000")).size());
            assertEquals(5000, ((List<?>) h.run("HRANDFIELD", "h", "-5000")).size());
            assertTrue(all.containsKey(h.run("HRANDFIELD", "h")));
        }

        @Test
        void hscanWalksTheWholeHashInStepsEvenAsItChanges() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
            fill(h, "h", 500);
            Set<Object> seen = new HashSet<>();
            String cursor = "0";
            int calls = 0;
            do {
                List<?> step = (List<?>) h.run("HSCAN", "h", cursor, "COUNT", "20");
                cursor = (String) step.get(0);
                List<?> pairs = (List<?>) step.get(1);
                assertTrue(pairs.size() >= 2 * 20 || cursor.equals("0"), "about COUNT per step");
                for (int i = 0; i < pairs.size(); i += 2) {
                    assertTrue(seen.add(pairs.get(i)), "no field twice");
                    String name = (String) pairs.get(i);
                    assertEquals(name.startsWith("new") ? "x" : "v" + name.substring(1), pairs.get(i + 1));
                }
                // changes during the scan: removed and added fields may or may not show, the others must
                h.run("HSET", "h", "new" + calls, "x");
                h.run("HDEL", "h", "f" + (calls * 7 % 500));
                calls++;
            } while (!cursor.equals("0"));
            assertTrue(calls >= 25, "in steps: " + calls);
            for (int i = 0; i < 500; i++) {
                boolean deleted = false;
                for (int c = 0; c < calls; c++) {
                    deleted |= c * 7 % 500 == i;
                }
                assertTrue(deleted || seen.contains("f" + i), "f" + i + " present throughout was visited");
            }
            List<?> scanned = (List<?>) h.run("HSCAN", "h", "0", "MATCH", "f1?", "COUNT", "1000");
            assertEquals("0", scanned.get(0), "COUNT beyond the size ends the scan");
            List<Object> matched = new ArrayList<>();
            for (int i = 0; i < ((List<?>) scanned.get(1)).size(); i += 2) {
                matched.add(((List<?>) scanned.get(1)).get(i));
            }
            List<?> expected = ((List<?>) h.run("HKEYS", "h")).stream().filter(f -> ((String) f).matches("f1.")).toList();
            assertEquals(new HashSet<>(expected), new HashSet<>(matched));
            assertEquals(expected.size(), matched.size());
        }

        @Test
        void copyRenameAndMoveCarryALargeHash() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
            fill(h, "h", 300);
            h.run("HEXPIRE", "h", "100", "FIELDS", "1", "f1");
            h.run("COPY", "h", "copy");
            h.run("HDEL", "h", "f2");
            h.run("RENAME", "h", "renamed");
            h.run("MOVE", "copy", "1");
            assertEquals(299L, h.run("HLEN", "renamed"));
            assertEquals(List.of(100L), h.run("HTTL", "renamed", "FIELDS", "1", "f1"));
            h.run("SELECT", "1");
            assertEquals(300L, h.run("HLEN", "copy"));
            assertEquals("v2", h.run("HGET", "copy", "f2"));
            assertEquals(List.of(100L), h.run("HTTL", "copy", "FIELDS", "1", "f1"));
            assertEquals("hashtable", h.run("OBJECT", "ENCODING", "copy"));
        }

        @Test
        void deletingALargeHashFreesItsPages() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
            long before = h.store().pageCount();
            fill(h, "h", 2000);
            assertTrue(h.store().pageCount() > before);
            List<String> del = new ArrayList<>(List.of("HDEL", "h"));
            for (int i = 0; i < 2000; i++) {
                del.add("f" + i);
            }
            assertEquals(2000L, h.run(del.toArray(new String[0])));
            assertEquals(0L, h.run("EXISTS", "h"));
            assertEquals(before, h.store().pageCount());
        }

        @Test
        void largeHashesReplayAndDigestAsSmallOnes() {
            h.run("CONFIG", "SET", "hash-max-listpack-entries", "8");
            fill(h, "h", 100);
            h.run("HDEL", "h", "f5");
            h.run("HINCRBYFLOAT", "h", "f6", "1.5");
            EngineHarness copy = new EngineHarness();
            copy.run("CONFIG", "SET", "hash-max-listpack-entries", "8");
            copy.engine.replay(StoredRecords.logged(h));
            assertEquals(h.run("HGETALL", "h"), copy.run("HGETALL", "h"));
            assertEquals("hashtable", copy.run("OBJECT", "ENCODING", "h"));
        }
    }

    @Nested
    class Digest {
        private final EngineHarness d = new EngineHarness(2, debugEnabled());

        private static ServerConfig debugEnabled() {
            ServerConfig config = new ServerConfig();
            config.set("enable-debug-command", "yes", true);
            return config;
        }

        /** The digests redis-server 7.0.15 gives for the same hashes (DEBUG DIGEST-VALUE, DEBUG DIGEST). */
        @Test
        void hashesDigestAsRedisDigestsThem() {
            d.run("HSET", "h", "a", "1", "b", "2", "c", "hello");
            d.run("HSET", "g", "c", "hello", "b", "2", "a", "1");
            d.run("HSET", "e", "", "");
            assertEquals(List.of(REDIS_H, REDIS_H, REDIS_E), d.run("DEBUG", "DIGEST-VALUE", "h", "g", "e"));
            d.run("DEL", "g", "e");
            assertEquals(REDIS_DATASET_H, d.run("DEBUG", "DIGEST"));
        }

        @Test
        void theLargeFormDigestsAsTheSmallOne() {
            d.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
            d.run("HSET", "h", "c", "hello", "a", "1", "b", "2");
            assertEquals("hashtable", d.run("OBJECT", "ENCODING", "h"));
            assertEquals(List.of(REDIS_H), d.run("DEBUG", "DIGEST-VALUE", "h"));
            assertEquals(REDIS_DATASET_H, d.run("DEBUG", "DIGEST"));
        }

        @Test
        void aFieldExpiryChangesTheDigestItsTimeDoesNot() {
            d.run("HSET", "h", "a", "1", "b", "2", "c", "hello");
            d.run("HEXPIRE", "h", "100", "FIELDS", "1", "a");
            Object withExpiry = d.run("DEBUG", "DIGEST-VALUE", "h");
            assertTrue(!withExpiry.equals(List.of(REDIS_H)));
            d.run("HEXPIRE", "h", "200", "FIELDS", "1", "a");
            assertEquals(withExpiry, d.run("DEBUG", "DIGEST-VALUE", "h"));
            d.run("HPERSIST", "h", "FIELDS", "1", "a");
            assertEquals(List.of(REDIS_H), d.run("DEBUG", "DIGEST-VALUE", "h"));
        }
    }

    // Recorded from redis-server 7.0.15 with enable-debug-command yes.
    static final String REDIS_H = "517fc86d414ba885f05ac6ee59e0b7bf497021a2";
    static final String REDIS_E = "058444ed2da4cc3f4acabd165ff3435028ac510b";
    static final String REDIS_DATASET_H = "183f28245d0a0c5f2da3389d18c771e2564045e2";
}
