package dev.millrace.engine.notify;

import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.command.CommandTable;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * notify-keyspace-events: the configuration as Redis parses and shows it, each class letter, the two
 * channel kinds, expiry (lazy and active), key misses, new keys, hash field expiry (Redis 7.4) and
 * blocked clients served by a write. Expected events are redis-server 7.0.15's (7.4's for field
 * expiry), observed with redis-cli.
 */
class KeyspaceNotificationsTest {
    private final EngineHarness h = new EngineHarness();
    private final PublishedEvents published = new PublishedEvents(h);

    private void configure(String classes) {
        assertEquals("OK", h.run("CONFIG", "SET", "notify-keyspace-events", classes));
    }

    @ParameterizedTest(name = "\"{0}\" shows as \"{1}\"")
    @CsvSource(value = {"'',''", "A,A", "K,K", "E,E", "KEA,AKE", "g$lshzxetd,A", "g$lshzxet,g$lshzxet",
            "AKEnm,AKEm", "dn,dn", "m,m", "mK,Km", "AA,A", "KE,KE", "Kg,gK", "xeKE,xeKE"})
    void configGetShowsRedisCanonicalForm(String given, String shown) {
        configure(given);
        assertEquals(java.util.Map.of("notify-keyspace-events", shown), EngineHarness.asMap(h.run("CONFIG", "GET", "notify-keyspace-events")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xyz", "KEA ", "K,E", "a"})
    void anUnknownClassLetterIsRefusedAndChangesNothing(String given) {
        configure("K$");
        assertEquals(err("ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
                + "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."), h.run("CONFIG", "SET", "notify-keyspace-events", given));
        assertEquals(java.util.Map.of("notify-keyspace-events", "$K"), EngineHarness.asMap(h.run("CONFIG", "GET", "notify-keyspace-events")));
    }

    @Test
    void newKeysStayAnnouncedWhenAHidesTheLetter() {
        configure("AKEn");
        assertEquals(java.util.Map.of("notify-keyspace-events", "AKE"), EngineHarness.asMap(h.run("CONFIG", "GET", "notify-keyspace-events")));
        h.run("SET", "k", "v");
        assertEquals(List.of("new k", "set k"), published.takeEvents());
    }

    @Test
    void nothingIsPublishedByDefault() {
        runMixedScript();
        assertEquals(List.of(), published.take());
    }

    /** One command of each kind; {@code st} expires (lazily, on GET) and {@code missing} is missed. */
    private void runMixedScript() {
        h.run("SET", "s", "v");
        h.run("LPUSH", "l", "a");
        h.run("SADD", "st", "a");
        h.run("HSET", "h", "f", "v");
        h.run("ZADD", "z", "1", "a");
        h.run("XADD", "x", "1-0", "f", "v");
        h.run("EXPIRE", "s", "100");
        h.run("DEL", "l");
        h.run("GET", "missing");
        h.run("PEXPIRE", "st", "10");
        h.advance(20);
        h.run("SCARD", "st");
    }

    @ParameterizedTest(name = "class {0}")
    @CsvSource(delimiter = '|', value = {
            "g | expire s,del l,expire st",
            "$ | set s",
            "l | lpush l",
            "s | sadd st",
            "h | hset h",
            "z | zadd z",
            "t | xadd x",
            "x | expired st",
            "n | new s,new l,new st,new h,new z,new x",
            "m | keymiss missing,keymiss st",
            "e | ''",
            "d | ''",
            "A | set s,lpush l,sadd st,hset h,zadd z,xadd x,expire s,del l,expire st,expired st"})
    void eachClassPublishesOnlyItsEvents(String letter, String expected) {
        configure("KE" + letter);
        runMixedScript();
        assertEquals(expected.isEmpty() ? List.of() : List.of(expected.split(",")), published.takeEvents());
    }

    @Test
    void keyspaceChannelCarriesTheEventAndKeyeventChannelTheKey() {
        configure("K$");
        h.run("SET", "k", "v");
        assertEquals(List.of("__keyspace@0__:k set"), published.takeLines());
        configure("E$");
        h.run("SET", "k", "v");
        assertEquals(List.of("__keyevent@0__:set k"), published.takeLines());
        configure("KE$");
        h.run("SELECT", "12");
        h.run("SET", "k", "v");
        assertEquals(List.of("__keyspace@12__:k set", "__keyevent@12__:set k"), published.takeLines());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$", "KE", "KEm", "n"})
    void withoutAChannelKindOrAMatchingClassNothingIsPublished(String classes) {
        configure(classes);
        h.run("SET", "k", "v");
        assertEquals(List.of(), published.take());
    }

    @Test
    void lazyExpiryPublishesExpiredBeforeTheCommandsOwnEvents() {
        configure("KEA");
        h.run("SET", "k", "v", "PX", "100");
        published.take();
        h.advance(200);
        h.run("SET", "k", "w");
        assertEquals(List.of("expired k", "set k"), published.takeEvents());
    }

    @Test
    void activeExpiryPublishesExpired() {
        configure("Ex");
        h.run("SET", "k", "v", "PX", "100");
        h.run("HSET", "h", "f", "v");
        h.run("PEXPIRE", "h", "100");
        h.advance(200);
        h.engine.cron();
        List<String> events = published.takeEvents();
        assertEquals(new TreeSet<>(List.of("expired k", "expired h")), new TreeSet<>(events));
    }

    @Test
    void keyMissesAreReadsThatFindNothing() {
        configure("KEm");
        h.run("GET", "nokey");
        h.run("SET", "nokey2", "v");      // a write's lookup is no miss
        h.run("EXISTS", "nokey3");
        h.run("MGET", "a", "nokey2", "b");
        assertEquals(List.of("keymiss nokey", "keymiss nokey3", "keymiss a", "keymiss b"), published.takeEvents());
    }

    @Test
    void newIsPublishedOnlyForKeysThatDidNotExist() {
        configure("KEn");
        h.run("SET", "k", "v");
        h.run("SET", "k", "w");
        h.run("LPUSH", "l", "a");
        h.run("LPUSH", "l", "b");
        h.run("SET", "r", "v");
        h.run("RENAME", "k", "r");    // the target is added anew, as Redis's dbAdd
        assertEquals(List.of("new k", "new l", "new r", "new r"), published.takeEvents());
    }

    @Test
    void hashFieldExpiryCommandsPublishAsRedis74() {
        configure("KEA");
        h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
        published.take();
        h.run("HPEXPIRE", "h", "100000", "FIELDS", "1", "nosuch"); // only the listpackex mark changes
        assertEquals(List.of(), published.takeEvents());
        h.run("HPEXPIRE", "h", "100000", "FIELDS", "2", "a", "nosuch");
        assertEquals(List.of("hexpire h"), published.takeEvents());
        h.run("HPEXPIRE", "h", "100000", "NX", "FIELDS", "1", "a");  // condition not met: no change
        assertEquals(List.of(), published.takeEvents());
        h.run("HPERSIST", "h", "FIELDS", "1", "a");
        assertEquals(List.of("hpersist h"), published.takeEvents());
        h.run("HPERSIST", "h", "FIELDS", "1", "a");
        assertEquals(List.of(), published.takeEvents());
        h.run("HPEXPIREAT", "h", "1", "FIELDS", "1", "a");            // a past time deletes the field
        assertEquals(List.of("hdel h"), published.takeEvents());
        h.run("HPEXPIREAT", "h", "1", "FIELDS", "2", "b", "c");
        assertEquals(List.of("hdel h", "del h"), published.takeEvents());
    }

    @Test
    void expiredHashFieldsPublishHexpiredLazilyAndActively() {
        configure("KEA");
        h.run("HSET", "h", "a", "1", "b", "2");
        h.run("HPEXPIRE", "h", "100", "FIELDS", "1", "a");
        h.run("HSET", "g", "a", "1");
        h.run("HPEXPIRE", "g", "100", "FIELDS", "1", "a");
        published.take();
        h.advance(200);
        h.run("HSET", "h", "c", "3");
        assertEquals(List.of("hexpired h", "hset h"), published.takeEvents());
        h.engine.cron();
        assertEquals(List.of("hexpired g", "del g"), published.takeEvents());
    }

    @Test
    void aServedBlockedClientPublishesAfterTheWriteThatServedIt() {
        configure("KEAn");
        ReplyCapture replies = new ReplyCapture(2);
        h.engine.execute(otherClient(50001), argv("BLPOP", "bl", "0"), replies);
        h.engine.execute(otherClient(50002), argv("BLMOVE", "bsrc", "bdst", "LEFT", "RIGHT", "0"), replies);
        h.run("RPUSH", "bl", "a");
        assertEquals(List.of("new bl", "rpush bl", "lpop bl", "del bl"), published.takeEvents());
        h.run("RPUSH", "bsrc", "x", "y");
        assertEquals(List.of("new bsrc", "rpush bsrc", "new bdst", "rpush bdst", "lpop bsrc"), published.takeEvents());
    }

    @Test
    void resp3ClientsCauseTheSameEvents() {
        EngineHarness resp3 = new EngineHarness(3);
        PublishedEvents events = new PublishedEvents(resp3);
        resp3.run("CONFIG", "SET", "notify-keyspace-events", "KEA");
        resp3.run("HSET", "h", "a", "1");
        resp3.run("ZADD", "z", "INCR", "1", "m");
        resp3.run("LMPOP", "1", "nol", "LEFT");
        assertEquals(List.of("hset h", "zincr z"), events.takeEvents());
    }

    @Test
    void everyWriteCommandStatesWhatItAnnounces() {
        List<String> unlisted = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (CommandSpec spec : CommandTable.load().all()) {
            List<CommandSpec> specs = spec.isContainer() ? List.copyOf(spec.subcommands().values()) : List.of(spec);
            for (CommandSpec s : specs) {
                names.add(s.name());
                if (s.isWrite() && !CommandAnnouncements.listed(s.name())) {
                    unlisted.add(s.name());
                }
            }
        }
        assertEquals(List.of(), unlisted, "write commands missing from events.table");
        List<String> unknown = CommandAnnouncements.names().stream().filter(n -> !names.contains(n)).sorted().toList();
        assertEquals(List.of(), unknown, "events.table names commands the command table lacks");
        assertTrue(CommandAnnouncements.listed("xgroup|create"));
    }

    private Session otherClient(int port) {
        return h.engine.connect(new Connection() {
            @Override public void closeAfterReply() { }
            @Override public String remoteAddress() { return "127.0.0.1:" + port; }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return out;
    }
}
