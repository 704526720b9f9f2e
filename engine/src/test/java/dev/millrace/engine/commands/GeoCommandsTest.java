package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static dev.millrace.engine.commands.StoredRecords.logged;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Geo commands beyond their replies (geo.golden checks those byte for byte against Redis 7.0.15, in
 * RESP2 and RESP3): the effects they log and replaying them, the reply shapes as values, and that a
 * geo set is an ordinary sorted set in both encodings.
 */
class GeoCommandsTest {
    private final EngineHarness h = new EngineHarness();

    private static EngineHarness withListpackEntries(int entries) {
        ServerConfig config = new ServerConfig();
        config.set("zset-max-listpack-entries", Integer.toString(entries), false);
        return new EngineHarness(2, config);
    }

    @Test
    void geoaddLogsTheZaddItAmountsTo() {
        h.run("GEOADD", "g", "CH", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        h.run("GEOADD", "g", "NX", "1", "1", "Palermo");
        h.run("GEOADD", "g", "XX", "1", "1", "Palermo");
        assertEquals(List.of(
                "0:zadd g CH 3479099956230698 Palermo 3479447370796909 Catania",
                "0:zadd g XX 3377822707026402 Palermo"), h.effects());
    }

    @Test
    void storingSearchesLogTheirArgvAndEmptyResultsDeleteTheDestination() {
        h.run("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        assertEquals(2L, h.run("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"));
        assertEquals(0L, h.run("GEORADIUS", "g", "0", "0", "1", "m", "STORE", "d"));
        assertEquals(0L, h.run("EXISTS", "d"));
        assertEquals(0L, h.run("GEORADIUS", "g", "0", "0", "1", "m", "STORE", "d"));
        assertEquals(List.of(
                "0:zadd g 3479099956230698 Palermo 3479447370796909 Catania",
                "0:GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
                "0:GEORADIUS g 0 0 1 m STORE d"), h.effects());
    }

    @Test
    void repliesAsValuesInBothProtocols() {
        for (int protocol : new int[]{2, 3}) {
            EngineHarness e = new EngineHarness(protocol);
            e.run("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
            // as values (the text, %.17Lf trimmed, is compared byte for byte by geo.golden)
            assertEquals(List.of(List.of(13.36138933897018433, 38.11555639549629859)), e.run("GEOPOS", "g", "Palermo"));
            assertEquals("166274.1516", e.run("GEODIST", "g", "Palermo", "Catania"));
            assertEquals(List.of(List.of("Catania", "56.4413", 3479447370796909L), List.of("Palermo", "190.4424", 3479099956230698L)),
                    e.run("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST", "WITHHASH", "ASC"));
            e.run("SET", "s", "v");
            assertEquals(EngineHarness.err("WRONGTYPE Operation against a key holding the wrong kind of value"),
                    e.run("GEOPOS", "s", "x"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 4})
    void aGeoSetIsASortedSetAndReplaysExactly(int listpackEntries) {
        EngineHarness e = withListpackEntries(listpackEntries);
        Random r = new Random(listpackEntries);
        for (int i = 0; i < 200; i++) {
            String lon = Double.toString(r.nextDouble() * 20 - 10);
            String lat = Double.toString(r.nextDouble() * 20 - 10);
            String member = "m" + r.nextInt(40);
            switch (r.nextInt(5)) {
                case 0, 1 -> e.run("GEOADD", "g", lon, lat, member);
                case 2 -> e.run("GEOADD", "g", r.nextBoolean() ? "XX" : "NX", "CH", lon, lat, member);
                case 3 -> e.run("GEOSEARCHSTORE", "s", "g", "FROMLONLAT", lon, lat, "BYRADIUS", "500", "km", "STOREDIST");
                default -> e.run("GEORADIUS", "g", lon, lat, "300", "km", "STORE", "t", "COUNT", "3");
            }
        }
        assertEquals("zset", e.run("TYPE", "g"));
        assertEquals(listpackEntries == 4 ? "skiplist" : "listpack", e.run("OBJECT", "ENCODING", "g"));
        EngineHarness copy = withListpackEntries(listpackEntries);
        copy.engine.replay(logged(e));
        for (String key : List.of("g", "s", "t")) {
            assertEquals(e.run("ZRANGE", key, "0", "-1", "WITHSCORES"), copy.run("ZRANGE", key, "0", "-1", "WITHSCORES"));
        }
    }
}
