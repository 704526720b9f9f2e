package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static dev.millrace.engine.commands.StoredRecords.logged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the list commands log for the AOF, as Redis 7.0 propagates them: the deterministic commands
 * their own argv, the blocking ones the non-blocking command they amounted to (at once or when served,
 * then in the same record as the write that served them), and nothing for a write that changed
 * nothing. Replaying the log into a fresh engine rebuilds the same lists, small or large.
 */
class ListEffectsTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void deterministicCommandsLogThemselves() {
        h.run("RPUSH", "l", "a", "b", "c", "d");
        h.run("LPUSH", "l", "z");
        h.run("LSET", "l", "0", "y");
        h.run("LINSERT", "l", "BEFORE", "b", "x");
        h.run("LREM", "l", "1", "x");
        h.run("LTRIM", "l", "0", "3");
        h.run("LPOP", "l");
        h.run("RPOP", "l", "5");
        h.run("RPUSH", "l", "a", "b");
        h.run("LMOVE", "l", "m", "LEFT", "RIGHT");
        h.run("RPOPLPUSH", "l", "m");
        assertEquals(List.of("0:RPUSH l a b c d", "0:LPUSH l z", "0:LSET l 0 y", "0:LINSERT l BEFORE b x",
                "0:LREM l 1 x", "0:LTRIM l 0 3", "0:LPOP l", "0:RPOP l 5", "0:RPUSH l a b",
                "0:LMOVE l m LEFT RIGHT", "0:RPOPLPUSH l m"), h.effects());
    }

    @Test
    void writesThatChangeNothingLogNothing() {
        h.run("RPUSH", "l", "a", "b");
        h.logged.clear();
        h.run("LPUSHX", "missing", "a");
        h.run("LPOP", "missing");
        h.run("LPOP", "l", "0");
        h.run("LTRIM", "l", "0", "-1");
        h.run("LREM", "l", "0", "nope");
        h.run("LINSERT", "l", "AFTER", "nope", "x");
        h.run("LMOVE", "missing", "l", "LEFT", "LEFT");
        h.run("LMPOP", "1", "missing", "LEFT");
        h.run("BLPOP", "l", "nope"); // an error
        assertEquals(List.of(), h.effects());
    }

    @Test
    void blockingCommandsThatPopAtOnceLogTheNonBlockingCommand() {
        h.run("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h");
        h.logged.clear();
        h.run("BLPOP", "missing", "l", "0");
        h.run("BRPOP", "l", "1");
        h.run("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2");
        h.run("LMPOP", "1", "l", "LEFT", "COUNT", "100");
        h.run("RPUSH", "l", "a", "b", "c");
        h.run("BLMOVE", "l", "m", "LEFT", "right", "5");
        h.run("BRPOPLPUSH", "l", "m", "0");
        assertEquals(List.of("0:LPOP l", "0:RPOP l", "0:RPOP l 2", "0:LPOP l 4", "0:RPUSH l a b c",
                "0:LMOVE l m LEFT right", "0:RPOPLPUSH l m"), h.effects());
    }

    @Test
    void aServedClientsPopIsLoggedInItsDatabaseWithTheWriteThatServedIt() {
        OtherClient pop = new OtherClient(h, "127.0.0.1:40001", 2);
        pop.run("SELECT", "3");
        pop.run("BLPOP", "q", "0");
        OtherClient mpop = new OtherClient(h, "127.0.0.1:40002", 2);
        mpop.run("SELECT", "3");
        mpop.run("BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5");
        OtherClient move = new OtherClient(h, "127.0.0.1:40003", 2);
        move.run("SELECT", "3");
        move.run("BRPOPLPUSH", "src", "q", "0");
        h.logged.clear();
        h.run("SELECT", "3");
        h.run("RPUSH", "q", "a", "b", "c");
        h.run("RPUSH", "src", "x");
        assertEquals(List.of(List.of("3:RPUSH q a b c", "3:LPOP q", "3:RPOP q 2"),
                List.of("3:RPUSH src x", "3:RPOPLPUSH src q")), records());
    }

    private List<List<String>> records() {
        List<List<String>> out = new ArrayList<>();
        for (List<Effect> record : h.logged) {
            List<String> effects = new ArrayList<>();
            for (Effect e : record) {
                StringBuilder text = new StringBuilder().append(e.db()).append(':');
                for (int i = 0; i < e.argv().length; i++) {
                    text.append(i == 0 ? "" : " ").append(new String(e.argv()[i], java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                effects.add(text.toString());
            }
            out.add(effects);
        }
        return out;
    }

    /** Random list commands, blocking ones served by later pushes included, then the log replayed. */
    @ParameterizedTest
    @ValueSource(ints = {-2, 2})
    void replayRebuildsTheSameLists(int fill) {
        ServerConfig config = new ServerConfig();
        config.set("list-max-listpack-size", Integer.toString(fill), true);
        EngineHarness live = new EngineHarness(2, config);
        Random random = new Random(fill);
        List<OtherClient> waiters = new ArrayList<>();
        String[] keys = {"a", "b", "c"};
        for (int i = 0; i < 3000; i++) {
            String key = keys[random.nextInt(keys.length)];
            String other = keys[random.nextInt(keys.length)];
            String value = "v" + random.nextInt(20);
            switch (random.nextInt(12)) {
                case 0, 1 -> live.run("RPUSH", key, value, value + "x");
                case 2 -> live.run("LPUSH", key, value);
                case 3 -> live.run("LPOP", key, Integer.toString(random.nextInt(3)));
                case 4 -> live.run("RPOP", key);
                case 5 -> live.run("LREM", key, Integer.toString(random.nextInt(5) - 2), value);
                case 6 -> live.run("LTRIM", key, Integer.toString(random.nextInt(4)), Integer.toString(-random.nextInt(4) - 1));
                case 7 -> live.run("LMOVE", key, other, random.nextBoolean() ? "LEFT" : "RIGHT", "LEFT");
                case 8 -> live.run("LINSERT", key, "AFTER", value, "ins");
                case 9 -> live.run("LSET", key, "0", value);
                case 10 -> live.run("LMPOP", "2", key, other, "RIGHT", "COUNT", "2");
                default -> {
                    OtherClient waiter = new OtherClient(live, "127.0.0.1:" + (41000 + i), 2);
                    switch (random.nextInt(3)) {
                        case 0 -> waiter.run("BLPOP", key, other, "0");
                        case 1 -> waiter.run("BLMPOP", "0", "1", key, "LEFT", "COUNT", "3");
                        default -> waiter.run("BLMOVE", key, other, "RIGHT", "RIGHT", "0");
                    }
                    waiters.add(waiter);
                }
            }
        }
        assertTrue(waiters.stream().filter(w -> !w.replies().isEmpty()).count() > 10, "blocked clients were served");
        EngineHarness replayed = new EngineHarness(2, config);
        replayed.engine.replay(logged(live));
        assertEquals(lists(live, keys), lists(replayed, keys));
    }

    private static TreeMap<String, Object> lists(EngineHarness h, String[] keys) {
        TreeMap<String, Object> out = new TreeMap<>();
        for (String key : keys) {
            out.put(key, h.run("LRANGE", key, "0", "-1"));
        }
        return out;
    }
}
