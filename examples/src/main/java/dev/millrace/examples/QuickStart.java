package dev.millrace.examples;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

/**
 * The first program to copy: a Jedis client against a running Millrace server
 * ({@code ./millrace-server}), exactly as against Redis.
 *
 * <pre>
 *   java -cp ... dev.millrace.examples.QuickStart [host] [port]
 * </pre>
 */
public final class QuickStart {
    private QuickStart() { }

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 6379;
        try (Jedis jedis = new Jedis(host, port)) {
            System.out.println("PING -> " + jedis.ping());

            jedis.set("greeting", "hello from Millrace");
            System.out.println("GET greeting -> " + jedis.get("greeting"));

            // A session token that expires by itself, durable across restarts until then.
            jedis.set("session:42", "alice", SetParams.setParams().ex(60));
            System.out.println("TTL session:42 -> " + jedis.ttl("session:42"));

            System.out.println("INCR page:views -> " + jedis.incr("page:views"));

            // Pipelining: one round trip for many commands.
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 1000; i++) {
                pipeline.set("item:" + i, Integer.toString(i));
            }
            pipeline.sync();
            System.out.println("DBSIZE -> " + jedis.dbSize());
        }
    }
}
