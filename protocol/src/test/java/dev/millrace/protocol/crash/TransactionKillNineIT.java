package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.Response;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI/EXEC under kill -9 with {@code appendfsync always}, with a background snapshot taken in the
 * middle (recovery is snapshot + AOF). Each client sends a stream of pipelined batches of transactions;
 * transaction number {@code n} of a client writes {@code n} into five keys, increments a counter and
 * appends {@code n} to a list. One client's transactions carry values of 1 MB per key, so each of its
 * AOF records (over 4 MB) is written in several fragments and the kill may fall between them. After the
 * restart, for every client: the five keys hold the same number {@code s} (no transaction is applied in
 * part), the counter and the list length are {@code s} too (no transaction before it was lost or
 * applied twice), {@code s} is at least the last acknowledged transaction and at most the last sent.
 */
class TransactionKillNineIT {
    private static final int CLIENTS = 3;
    private static final int KEYS = 5;
    /** The client whose records are fragmented. */
    private static final int LARGE = CLIENTS - 1;
    private static final String LARGE_PADDING = "x".repeat(1 << 20);

    @TempDir
    Path tmp;

    @Test
    void eachTransactionIsRecoveredWhollyOrNotAtAllAndEveryAcknowledgedOneIsThere() throws Exception {
        Path dir = tmp.resolve("data");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLongArray acked = new AtomicLongArray(CLIENTS);
        AtomicLongArray sent = new AtomicLongArray(CLIENTS);
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Thread t = new Thread(() -> sendTransactions(server.port(), client, stop, acked, sent), "tx-client-" + c);
                t.start();
                clients.add(t);
            }
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> acked.get(0) >= 300 && acked.get(1) >= 300 && acked.get(LARGE) >= 10);
            try (Jedis admin = new Jedis("127.0.0.1", server.port(), 30_000)) {
                admin.bgsave();
                await().atMost(Duration.ofSeconds(120)).until(() -> admin.info("persistence").contains("rdb_bgsave_in_progress:0"));
            }
            long before = acked.get(LARGE);
            await().atMost(Duration.ofSeconds(120)).until(() -> acked.get(LARGE) >= before + 10 && acked.get(0) >= 600);
            server.kill();
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
        }
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port(), 30_000)) {
            for (int c = 0; c < CLIENTS; c++) {
                long recovered = sequenceOf(jedis.get(key(c, 0)));
                for (int k = 1; k < KEYS; k++) {
                    assertEquals(recovered, sequenceOf(jedis.get(key(c, k))),
                            "client " + c + ": key " + k + " is from another transaction than key 0");
                }
                String count = jedis.get("c" + c + ":count");
                assertEquals(recovered, count == null ? 0 : Long.parseLong(count), "client " + c + ": counter");
                assertEquals(recovered, jedis.llen("c" + c + ":log"), "client " + c + ": list length");
                if (recovered > 0) {
                    assertEquals(List.of(Long.toString(recovered)), jedis.lrange("c" + c + ":log", -1, -1));
                }
                assertTrue(recovered >= acked.get(c), "client " + c + ": acknowledged transaction " + acked.get(c)
                        + " lost, recovered up to " + recovered);
                assertTrue(recovered <= sent.get(c), "client " + c + ": more than was sent");
                System.out.printf("kill -9, transactions of client %d: %d acknowledged, %d sent, %d recovered%n",
                        c, acked.get(c), sent.get(c), recovered);
            }
        }
    }

    private static String key(int client, int k) {
        return "c" + client + ":k" + k;
    }

    private static long sequenceOf(String value) {
        return value == null ? 0 : Long.parseLong(value.substring(0, value.indexOf(':')));
    }

    /**
     * Sends pipelined batches of 1 to 4 transactions (one for the large client) until stopped or the
     * server dies, and records the last transaction sent and the last acknowledged.
     */
    private static void sendTransactions(int port, int client, AtomicBoolean stop, AtomicLongArray acked,
                                         AtomicLongArray sent) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
            long next = 1;
            while (!stop.get()) {
                int batch = client == LARGE ? 1 : 1 + (int) (next % 4);
                Pipeline p = jedis.pipelined();
                List<Response<Object>> execs = new ArrayList<>();
                for (int i = 0; i < batch; i++, next++) {
                    String value = next + ":" + (client == LARGE ? LARGE_PADDING : "v");
                    p.sendCommand(Command.MULTI, new String[0]);
                    for (int k = 0; k < KEYS; k++) {
                        p.sendCommand(Command.SET, key(client, k), value);
                    }
                    p.sendCommand(Command.INCR, "c" + client + ":count");
                    p.sendCommand(Command.RPUSH, "c" + client + ":log", Long.toString(next));
                    execs.add(p.sendCommand(Command.EXEC, new String[0]));
                    sent.set(client, next);
                }
                p.sync();
                for (Response<Object> exec : execs) {
                    List<?> replies = (List<?>) exec.get();
                    assertEquals(KEYS + 2, replies.size());
                }
                acked.set(client, next - 1);
            }
        } catch (RuntimeException expectedWhenKilled) {
            // the connection dies with the server: transactions after the last acknowledged are unknown
        }
    }
}
