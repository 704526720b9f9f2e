package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    private static List<String> headers(String info) {
        List<String> out = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                out.add(line);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void defaultHasEverySectionInRedisOrder(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        String info = (String) h.run("INFO");
        List<String> all = List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication",
                "# CPU", "# Cluster", "# Keyspace");
        assertEquals(all, headers(info));
        assertEquals(all, headers((String) h.run("INFO", "all")));
        assertEquals(all, headers((String) h.run("INFO", "everything")));
        assertEquals(all, headers((String) h.run("INFO", "default")));
        assertTrue(info.startsWith("# Server\r\nredis_version:7.0.15\r\nmillrace_version:" + Engine.MILLRACE_VERSION + "\r\n"));
        assertTrue(info.contains("\r\n\r\n# Clients\r\n"), "sections are separated by an empty line");
        assertTrue(info.endsWith("# Keyspace\r\n"), "an empty keyspace section has only its header");
    }

    @Test
    void selectedSectionsComeInRedisOrderWhateverTheArgumentOrder() {
        EngineHarness h = new EngineHarness();
        String info = (String) h.run("INFO", "KEYSPACE", "server", "nosuch");
        assertEquals(List.of("# Server", "# Keyspace"), headers(info));
        assertEquals("", h.run("INFO", "nosuch"));
    }

    @Test
    void fieldsCarryLiveValues() {
        EngineHarness h = new EngineHarness();
        new OtherClient(h, "127.0.0.1:2", 2);
        h.run("PING");
        String info = (String) h.run("INFO", "server", "clients", "stats", "replication", "persistence", "cpu", "memory", "cluster");
        for (String field : List.of("redis_mode:standalone\r\n", "tcp_port:6379\r\n", "hz:10\r\n", "connected_clients:2\r\n",
                "maxclients:10000\r\n", "total_connections_received:2\r\n", "role:master\r\n", "connected_slaves:0\r\n",
                "aof_enabled:1\r\n", "rdb_bgsave_in_progress:0\r\n", "rdb_last_bgsave_status:ok\r\n", "cluster_enabled:0\r\n",
                "maxmemory:0\r\n", "maxmemory_human:0B\r\n", "keyspace_hits:0\r\n", "master_replid2:0000000000000000000000000000000000000000\r\n")) {
            assertTrue(info.contains(field), field);
        }
        for (String prefix : List.of("run_id:", "process_id:", "uptime_in_seconds:", "used_memory:", "used_cpu_user:",
                "used_cpu_sys_main_thread:", "total_commands_processed:", "rdb_last_save_time:", "lru_clock:")) {
            assertTrue(info.contains("\r\n" + prefix), prefix);
        }
        h.advance(90_061_000L);
        assertTrue(((String) h.run("INFO", "server")).contains("uptime_in_seconds:90061\r\nuptime_in_days:1\r\n"));
    }

    @Test
    void keyspaceLinesPerNonEmptyDatabase() {
        EngineHarness h = new EngineHarness();
        TestKeys.putString(h, 0, "k", "v");
        assertTrue(((String) h.run("INFO", "keyspace")).endsWith("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"));
        TestKeys.putString(h, 3, "a", "v", h.time.get() + 10_000);
        TestKeys.putString(h, 3, "b", "v", h.time.get() + 20_000);
        TestKeys.putString(h, 3, "c", "v");
        assertEquals("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=3,expires=2,avg_ttl=15000\r\n",
                h.run("INFO", "keyspace"));
        // db0 never had a key with a TTL: its line costs no walk over its keys
        long scans0 = h.store().scans(0);
        long scans3 = h.store().scans(3);
        h.run("INFO", "keyspace");
        assertEquals(scans0, h.store().scans(0));
        assertEquals(scans3 + 1, h.store().scans(3), "only db3, which holds keys with a TTL, is walked");
    }

    @Test
    void persistenceReportsChangesSinceTheLastSave() {
        EngineHarness h = new EngineHarness();
        TestKeys.putString(h, 0, "k", "v");
        assertTrue(((String) h.run("INFO", "persistence")).contains("rdb_changes_since_last_save:1\r\n"));
        h.run("SAVE");
        assertTrue(((String) h.run("INFO", "persistence")).contains("rdb_changes_since_last_save:0\r\n"));
    }

    @Test
    void humanSizesAsRedisPrintsThem() {
        assertEquals("0B", InfoCommand.human(0));
        assertEquals("1023B", InfoCommand.human(1023));
        assertEquals("1.00K", InfoCommand.human(1024));
        assertEquals("1.50M", InfoCommand.human(1024 * 1536));
        assertEquals("1.00G", InfoCommand.human(1L << 30));
        assertFalse(InfoCommand.human(1L << 50).isEmpty());
    }

    @Test
    void memoryCarriesRedisScriptingFieldsInItsOrder() {
        EngineHarness h = new EngineHarness();
        h.run("SCRIPT", "LOAD", "return 1");
        h.run("EVAL", "return 2", "0");
        h.run("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"
                + " redis.register_function('g', function() return 2 end)");
        List<String> names = new ArrayList<>();
        Map<String, String> fields = new HashMap<>();
        for (String line : ((String) h.run("INFO", "memory")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && (line.contains("lua") || line.contains("script") || line.startsWith("number_of_") || line.contains("vm_") || line.contains("functions"))) {
                names.add(line.substring(0, colon));
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        assertEquals(List.of("used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human", "used_memory_scripts_eval",
                "number_of_cached_scripts", "number_of_functions", "number_of_libraries", "used_memory_vm_functions",
                "used_memory_vm_total", "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts",
                "used_memory_scripts_human"), names, "redis-server 7.0.15's lines, in its order");
        assertEquals("2", fields.get("number_of_cached_scripts"));
        assertEquals("2", fields.get("number_of_functions"));
        assertEquals("1", fields.get("number_of_libraries"));
        long heap = Long.parseLong(fields.get("used_memory_lua"));
        assertTrue(heap > 10_000, "the Lua heap is measured: " + heap);
        assertEquals(fields.get("used_memory_lua"), fields.get("used_memory_vm_total"));
        assertEquals(Long.parseLong(fields.get("used_memory_scripts_eval")) + Long.parseLong(fields.get("used_memory_functions")),
                Long.parseLong(fields.get("used_memory_scripts")));
        h.run("SCRIPT", "FLUSH");
        assertTrue(((String) h.run("INFO", "memory")).contains("\r\nnumber_of_cached_scripts:0\r\n"), "SCRIPT FLUSH empties the cache");
    }
}
