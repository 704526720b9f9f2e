package dev.millrace.engine.tracking;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-side caching through whole connections: the exact bytes each one receives (replies and
 * invalidation messages, in order) were observed from redis-server 7.0.15 for the same sequences.
 */
class ClientTrackingTest {
    private static final String OK = "+OK\r\n";

    private final TrackingClients clients = new TrackingClients();
    private final TrackingClients.Client a = clients.connect(3);
    private final TrackingClients.Client b = clients.connect(2);

    private static String invalidate(String... keys) {
        StringBuilder out = new StringBuilder(">2\r\n$10\r\ninvalidate\r\n*" + keys.length + "\r\n");
        for (String key : keys) {
            out.append('$').append(key.length()).append("\r\n").append(key).append("\r\n");
        }
        return out.toString();
    }

    @Test
    void optionsAreCheckedInRedisOrderWithItsErrors() {
        assertEquals("-ERR PREFIX option requires BCAST mode to be enabled\r\n", a.run("CLIENT", "TRACKING", "on", "prefix", "a"));
        assertEquals("-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n", a.run("CLIENT", "TRACKING", "on", "bcast", "optin"));
        assertEquals("-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n", a.run("CLIENT", "TRACKING", "on", "optin", "optout"));
        assertEquals("-ERR The client ID you want redirect to does not exist\r\n", a.run("CLIENT", "TRACKING", "on", "redirect", "999"));
        assertEquals("-ERR value is not an integer or out of range\r\n", a.run("CLIENT", "TRACKING", "on", "redirect", "x"));
        assertEquals("-ERR A client can only redirect to a single other client\r\n",
                a.run("CLIENT", "TRACKING", "on", "redirect", "" + b.id(), "redirect", "" + b.id()));
        assertEquals("-ERR syntax error\r\n", a.run("CLIENT", "TRACKING", "maybe"));
        assertEquals("-ERR syntax error\r\n", a.run("CLIENT", "TRACKING", "on", "foo"));
        assertEquals("-ERR syntax error\r\n", a.run("CLIENT", "TRACKING", "on", "redirect"));
        assertEquals("-ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.\r\n",
                a.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "ab", "prefix", "a"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "off", "prefix", "a"));
        assertEquals("-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n",
                a.run("CLIENT", "CACHING", "yes"));
        assertEquals(":-1\r\n", a.run("CLIENT", "GETREDIR"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "on", "optin"));
        assertEquals("-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n",
                a.run("CLIENT", "TRACKING", "on", "optout"));
        assertEquals("-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n",
                a.run("CLIENT", "TRACKING", "on", "bcast"));
        assertEquals("-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n", a.run("CLIENT", "CACHING", "no"));
        assertEquals(OK, a.run("CLIENT", "CACHING", "yes"));
        assertEquals("-ERR syntax error\r\n", a.run("CLIENT", "CACHING", "maybe"));
        assertEquals("%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
                a.run("CLIENT", "TRACKINGINFO"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "off"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "b"));
        assertEquals("-ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.\r\n",
                a.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "ab"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "c"));
        assertEquals("%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                a.run("CLIENT", "TRACKINGINFO"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "off"));
        assertEquals("%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", a.run("CLIENT", "TRACKINGINFO"));
        assertEquals(OK, a.run("CLIENT", "TRACKING", "on", "noloop"));
        assertEquals("%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n", a.run("CLIENT", "TRACKINGINFO"));
    }

    @Test
    void trackingInfoInResp2IsAFlatListWithAnArrayOfFlags() {
        assertEquals(OK, b.run("CLIENT", "TRACKING", "on", "optout"));
        assertEquals(OK, b.run("CLIENT", "CACHING", "no"));
        assertEquals("*6\r\n$5\r\nflags\r\n*3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
                b.run("CLIENT", "TRACKINGINFO"));
    }

    @Test
    void aReadKeyIsInvalidatedOnceAndTheWritersOwnInvalidationFollowsItsReply() {
        a.run("CLIENT", "TRACKING", "on");
        assertEquals("_\r\n", a.run("GET", "k"));
        assertEquals(OK + invalidate("k"), a.run("SET", "k", "v"));
        assertEquals("$1\r\nv\r\n", a.run("GET", "k"));
        assertEquals("*2\r\n$1\r\nv\r\n_\r\n", a.run("MGET", "k", "k2"));
        b.run("SET", "k", "w");
        assertEquals(invalidate("k"), a.received());
        b.run("SET", "k2", "w");
        assertEquals(invalidate("k2"), a.received());
        b.run("SET", "k2", "w");
        assertEquals("", a.received()); // no longer read since
        a.run("MGET", "m1", "m2");
        b.run("MSET", "m1", "1", "m2", "2");
        assertEquals(invalidate("m1") + invalidate("m2"), a.received());
        a.run("SELECT", "1");
        a.run("GET", "x1");
        b.run("SET", "x1", "v");     // keys are tracked across databases, as in Redis
        assertEquals(invalidate("x1"), a.received());
    }

    @Test
    void flushesInvalidateEverythingWithANull() {
        a.run("CLIENT", "TRACKING", "on");
        a.run("GET", "k");
        b.run("FLUSHALL");
        assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", a.received());
        a.run("GET", "k");
        b.run("FLUSHDB");
        assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", a.received());
        assertEquals(OK + ">2\r\n$10\r\ninvalidate\r\n_\r\n", a.run("FLUSHALL"));
        b.run("SET", "k", "v");       // the flush forgot what was read
        assertEquals("", a.received());
    }

    @Test
    void expiryInvalidatesAtOnceEvenForTheReaderItself() {
        a.run("CLIENT", "TRACKING", "on");
        b.run("SET", "e", "v", "PX", "1000");
        a.run("GET", "e");
        clients.h.advance(1500);
        b.run("GET", "e");
        assertEquals(invalidate("e"), a.received());
        b.run("SET", "e", "v", "PX", "1000");
        a.run("GET", "e");
        clients.h.advance(1500);
        assertEquals(invalidate("e") + "_\r\n", a.run("GET", "e"));
        b.run("SET", "e", "v", "PX", "1000");
        a.run("GET", "e");
        clients.h.advance(1500);
        clients.h.engine.cron();
        assertEquals(invalidate("e"), a.received());
    }

    @Test
    void broadcastModeSendsTheKeysChangedUnderEachPrefixOncePerBatch() {
        a.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "p:");
        b.run("MSET", "p:1", "x", "p:2", "y", "q:1", "z");
        assertEquals(invalidate("p:1", "p:2"), a.received());
        assertEquals(OK + invalidate("p:3"), a.run("SET", "p:3", "1"));
        a.run("CLIENT", "TRACKING", "off");
        a.run("CLIENT", "TRACKING", "on", "bcast");
        b.run("SET", "zz", "1");
        assertEquals(invalidate("zz"), a.received());
        a.run("CLIENT", "TRACKING", "off");
        a.run("CLIENT", "TRACKING", "on", "bcast", "noloop", "prefix", "n:");
        a.run("SET", "n:mine", "1");
        assertEquals("", a.received());
        b.run("SET", "n:theirs", "1");
        assertEquals(invalidate("n:theirs"), a.received());
    }

    @Test
    void optInTracksOnlyAfterCachingYesAndOnlyForTheNextCommand() {
        a.run("CLIENT", "TRACKING", "on", "optin");
        a.run("GET", "o1");
        b.run("SET", "o1", "x");
        assertEquals("", a.received());
        a.run("CLIENT", "CACHING", "yes");
        a.run("GET", "o1");
        b.run("SET", "o1", "x");
        assertEquals(invalidate("o1"), a.received());
        a.run("CLIENT", "CACHING", "yes");
        a.run("PING");
        a.run("GET", "o1");
        b.run("SET", "o1", "x");
        assertEquals("", a.received());
    }

    @Test
    void optOutTracksUnlessCachingNo() {
        a.run("CLIENT", "TRACKING", "on", "optout");
        a.run("CLIENT", "CACHING", "no");
        a.run("GET", "o1");
        a.run("GET", "o2");
        b.run("MSET", "o1", "x", "o2", "y");
        assertEquals(invalidate("o2"), a.received());
    }

    @Test
    void noLoopHidesTheClientsOwnWrites() {
        a.run("CLIENT", "TRACKING", "on", "noloop");
        a.run("GET", "n1");
        assertEquals(OK, a.run("SET", "n1", "x"));
        b.run("SET", "n1", "y");      // the key was forgotten on the first change
        assertEquals("", a.received());
    }

    @Test
    void aResp2ClientRedirectsToASubscribedClientThroughTheInvalidateChannel() {
        TrackingClients.Client subscriber = clients.connect(2);
        TrackingClients.Client reader = clients.connect(2);
        clients.subscribed.add(subscriber.id());
        assertEquals(OK, reader.run("CLIENT", "TRACKING", "on", "redirect", "" + subscriber.id()));
        assertEquals(":" + subscriber.id() + "\r\n", reader.run("CLIENT", "GETREDIR"));
        reader.run("GET", "rk");
        b.run("SET", "rk", "1");
        assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nrk\r\n", subscriber.received());
        assertEquals("", reader.received());
        reader.run("GET", "rk");
        b.run("FLUSHALL");
        assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n", subscriber.received());
        clients.subscribed.remove(subscriber.id());
        reader.run("GET", "rk");
        b.run("SET", "rk", "2");
        assertEquals("", subscriber.received()); // not in pub/sub mode: RESP2 has no way to tell it
        assertTrue(b.run("CLIENT", "LIST", "ID", "" + reader.id()).contains(" flags=t db=0 "));
        assertTrue(b.run("CLIENT", "LIST", "ID", "" + reader.id()).contains(" redir=" + subscriber.id() + " "));
    }

    @Test
    void aRedirectionToAClientThatLeftIsReportedBroken() {
        TrackingClients.Client target = clients.connect(2);
        long targetId = target.id();
        a.run("CLIENT", "TRACKING", "on", "redirect", "" + targetId);
        a.run("GET", "rk4");
        target.close();
        b.run("SET", "rk4", "1");
        assertEquals(">2\r\n$21\r\ntracking-redir-broken\r\n:" + targetId + "\r\n", a.received());
        assertEquals("%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:" + targetId
                + "\r\n$8\r\nprefixes\r\n*0\r\n", a.run("CLIENT", "TRACKINGINFO"));
        assertTrue(b.run("CLIENT", "LIST", "ID", "" + a.id()).contains(" flags=tR db=0 "));
    }

    @Test
    void aClientThatLeavesStopsTracking() {
        TrackingClients.Client gone = clients.connect(3);
        gone.run("CLIENT", "TRACKING", "on", "bcast", "prefix", "x");
        gone.run("GET", "k");
        gone.close();
        b.run("SET", "x1", "v");
        b.run("SET", "k", "v");
        assertEquals(false, clients.h.engine.tracking().anyone());
        assertTrue(b.run("CLIENT", "LIST", "ID", "" + b.id()).contains(" flags=N db=0 "));
        assertTrue(b.run("CLIENT", "LIST", "ID", "" + b.id()).contains(" redir=-1 "));
    }

    @Test
    void overTheTableLimitKeysAreInvalidatedBeforeTheNextCommand() {
        assertEquals(OK, b.run("CONFIG", "SET", "tracking-table-max-keys", "2"));
        a.run("CLIENT", "TRACKING", "on");
        a.run("MGET", "k1", "k2", "k3", "k4");
        String shed = a.run("PING");  // the table holds 4 keys: 2 are invalidated first
        assertEquals(2, shed.split(">2", -1).length - 1, shed);
        assertTrue(shed.endsWith("+PONG\r\n"), shed);
        assertTrue(b.run("INFO", "stats").contains("tracking_total_keys:2\r\ntracking_total_items:2\r\ntracking_total_prefixes:0\r\n"));
        assertTrue(b.run("INFO", "clients").contains("tracking_clients:1\r\n"));
    }
}
