package dev.millrace.protocol.server;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions through the two Java clients users copy from: Jedis (RESP2) and Lettuce (RESP3):
 * MULTI/EXEC with responses, runtime errors, EXECABORT, DISCARD, the WATCH-retry loop of optimistic
 * locking with several clients racing on real connections, and a transaction's XADDs waking a blocked
 * XREAD only once EXEC is done.
 */
class TransactionIT extends ClientsFixture {
    @BeforeEach
    void empty() {
        try (Jedis jedis = jedis()) {
            jedis.flushAll();
        }
    }

    @Test
    void jedisTransactionWithResponsesAndARuntimeError() {
        try (Jedis jedis = jedis()) {
            Transaction t = jedis.multi();
            Response<String> set = t.set("a", "1");
            Response<Long> incr = t.incr("a");
            Response<Long> push = t.lpush("a", "x");
            Response<String> get = t.get("a");
            List<Object> results = t.exec();
            assertEquals(4, results.size());
            assertEquals("OK", set.get());
            assertEquals(2L, incr.get());
            assertThrows(JedisDataException.class, push::get, "the WRONGTYPE error is this command's reply");
            assertInstanceOf(JedisDataException.class, results.get(2));
            assertEquals("2", get.get(), "the commands after the error ran");
        }
    }

    /**
     * A command that fails inside the server (here on a truncated record, as a damaged disk could
     * leave; written from the test thread while the server is idle) is answered with an error, as
     * that command's element inside EXEC, and the connection stays: before, it was closed.
     */
    @Test
    void aCommandThatFailsInsideTheServerGetsAnErrorAndTheConnectionStays() {
        server.engine.keyspace().store().put(0, "corrupt".getBytes(StandardCharsets.UTF_8), new byte[]{1});
        try (Jedis jedis = jedis()) {
            JedisDataException failed = assertThrows(JedisDataException.class, () -> jedis.get("corrupt"));
            assertTrue(failed.getMessage().startsWith("ERR internal error in 'get' command"), failed.getMessage());
            assertEquals("PONG", jedis.ping());

            Transaction t = jedis.multi();
            Response<String> before = t.set("before", "1");
            Response<String> get = t.get("corrupt");
            Response<String> after = t.set("after", "2");
            assertEquals(3, t.exec().size());
            assertEquals("OK", before.get());
            assertThrows(JedisDataException.class, get::get);
            assertEquals("OK", after.get(), "the commands after it ran");
            assertEquals("1", jedis.get("before"));
        } finally {
            server.engine.keyspace().store().remove(0, "corrupt".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void jedisDiscardAndExecabort() {
        try (Jedis jedis = jedis()) {
            Transaction t = jedis.multi();
            t.set("d", "1");
            assertEquals("OK", t.discard());
            assertFalse(jedis.exists("d"));

            jedis.sendCommand(Protocol.Command.MULTI);
            assertEquals("QUEUED", new String((byte[]) jedis.sendCommand(Protocol.Command.SET, "e", "1")));
            JedisDataException refused = assertThrows(JedisDataException.class,
                    () -> jedis.sendCommand(Protocol.Command.GET));
            assertEquals("ERR wrong number of arguments for 'get' command", refused.getMessage());
            JedisDataException abort = assertThrows(JedisDataException.class,
                    () -> jedis.sendCommand(Protocol.Command.EXEC));
            assertEquals("EXECABORT Transaction discarded because of previous errors.", abort.getMessage());
            assertFalse(jedis.exists("e"));
        }
    }

    @Test
    void jedisWatchFailsTheTransactionWhenAnotherClientWrites() {
        try (Jedis watcher = jedis(); Jedis writer = jedis()) {
            watcher.set("balance", "100");
            watcher.watch("balance");
            int balance = Integer.parseInt(watcher.get("balance"));
            writer.decrBy("balance", 30);
            Transaction t = watcher.multi();
            t.set("balance", Integer.toString(balance - 50));
            assertNull(t.exec(), "a null array: the transaction did not run");
            assertEquals("70", watcher.get("balance"));
        }
    }

    /**
     * The optimistic-locking loop of Redis's documentation (WATCH, GET, MULTI, SET, EXEC, retry on a
     * null reply) from several Jedis clients at once: no increment is lost.
     */
    @Test
    void jedisOptimisticLockingLosesNoIncrementUnderContention() throws Exception {
        int clients = 8;
        int incrementsEach = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> retries = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                retries.add(pool.submit(() -> {
                    int failed = 0;
                    try (Jedis jedis = jedis()) {
                        for (int i = 0; i < incrementsEach; i++) {
                            while (true) {
                                jedis.watch("counter");
                                String value = jedis.get("counter");
                                long next = (value == null ? 0 : Long.parseLong(value)) + 1;
                                Transaction t = jedis.multi();
                                t.set("counter", Long.toString(next));
                                if (t.exec() != null) {
                                    break;
                                }
                                failed++;
                            }
                        }
                    }
                    return failed;
                }));
            }
            int failedExecs = 0;
            for (Future<Integer> f : retries) {
                failedExecs += f.get(120, TimeUnit.SECONDS);
            }
            try (Jedis jedis = jedis()) {
                assertEquals(Integer.toString(clients * incrementsEach), jedis.get("counter"));
            }
            System.out.printf("optimistic locking: %d increments, %d EXECs failed on a changed key%n",
                    clients * incrementsEach, failedExecs);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lettuceTransactionInResp3() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertEquals("OK", sync.multi());
            sync.set("l", "1");
            sync.incr("l");
            sync.hset("h", Map.of("f", "v"));
            sync.hgetall("h");
            sync.get("missing");
            TransactionResult result = sync.exec();
            assertFalse(result.wasDiscarded());
            assertEquals(5, result.size());
            assertEquals("OK", result.get(0));
            assertEquals(2L, (Long) result.get(1));
            assertEquals(1L, (Long) result.get(2));
            assertEquals(Map.of("f", "v"), result.get(3));
            assertNull(result.get(4));
        }
    }

    @Test
    void lettuceWatchIsBrokenByAnotherConnection() {
        try (StatefulRedisConnection<String, String> watcher = lettuce.connect();
             StatefulRedisConnection<String, String> writer = lettuce.connect()) {
            RedisCommands<String, String> sync = watcher.sync();
            sync.set("k", "v");
            assertEquals("OK", sync.watch("k"));
            writer.sync().append("k", "w");
            sync.multi();
            sync.set("k", "mine");
            assertTrue(sync.exec().wasDiscarded(), "RESP3 null: the transaction was discarded");
            assertEquals("vw", sync.get("k"));

            sync.watch("k");
            assertEquals("OK", sync.unwatch());
            writer.sync().set("k", "again");
            sync.multi();
            sync.set("k", "mine");
            assertFalse(sync.exec().wasDiscarded(), "UNWATCH forgot the key");
            assertEquals("mine", sync.get("k"));
        }
    }

    @Test
    void lettucePipelinedTransaction() throws Exception {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            RedisFuture<String> multi = async.multi();
            List<RedisFuture<Long>> pushes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                pushes.add(async.rpush("pipelined", Integer.toString(i)));
            }
            RedisFuture<TransactionResult> exec = async.exec();
            connection.flushCommands();
            assertEquals("OK", multi.get(10, TimeUnit.SECONDS));
            TransactionResult result = exec.get(10, TimeUnit.SECONDS);
            assertEquals(100, result.size());
            assertEquals(100L, pushes.get(99).get(10, TimeUnit.SECONDS));
            connection.setAutoFlushCommands(true);
            assertEquals(100L, connection.sync().llen("pipelined"));
        }
    }

    @Test
    void xaddsInATransactionWakeABlockedXreadOnceWithAllTheirEntries() throws Exception {
        try (Jedis reader = jedis(); Jedis writer = jedis()) {
            writer.xadd("events", new StreamEntryID(1, 0), Map.of("n", "0"));
            CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> read = CompletableFuture.supplyAsync(() ->
                    reader.xread(XReadParams.xReadParams().block(0), Map.of("events", StreamEntryID.XREAD_NEW_ENTRY)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> writer.info("clients").contains("blocked_clients:1"));
            Transaction t = writer.multi();
            for (int i = 1; i <= 3; i++) {
                t.xadd("events", new StreamEntryID(1 + i, 0), Map.of("n", Integer.toString(i)));
            }
            t.exec();
            List<Map.Entry<String, List<StreamEntry>>> got = read.get(10, TimeUnit.SECONDS);
            assertEquals(1, got.size());
            List<String> ids = got.get(0).getValue().stream().map(e -> e.getID().toString()).toList();
            assertEquals(List.of("2-0", "3-0", "4-0"), ids, "the reader was served after EXEC, with every entry");
        }
    }

    @Test
    void aPushInATransactionWakesABlockedPopAfterTheTransactionsOwnPop() throws Exception {
        try (Jedis popper = jedis(); Jedis writer = jedis()) {
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> popper.blpop(0, "jobs"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> writer.info("clients").contains("blocked_clients:1"));
            Transaction t = writer.multi();
            t.rpush("jobs", "first");
            Response<String> own = t.lpop("jobs");
            t.rpush("jobs", "second");
            t.exec();
            assertEquals("first", own.get());
            assertEquals(List.of("jobs", "second"), popped.get(10, TimeUnit.SECONDS));
        }
    }
}
