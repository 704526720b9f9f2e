package dev.millrace.protocol.server;

import io.lettuce.core.GeoArgs;
import io.lettuce.core.GeoCoordinates;
import io.lettuce.core.GeoSearch;
import io.lettuce.core.GeoWithin;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.GeoCoordinate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.GeoUnit;
import redis.clients.jedis.params.GeoSearchParam;
import redis.clients.jedis.resps.GeoRadiusResponse;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Geo commands through real clients: Jedis (RESP2) and Lettuce (RESP3) add points, read positions,
 * distances and geohashes, and search by radius and by box (the replies' bytes are checked against
 * Redis by geo.golden and compat/geo.txt; here the clients must parse them).
 */
class GeoIT extends ClientsFixture {
    @Test
    void jedisAddsAndSearches() {
        try (Jedis jedis = jedis()) {
            assertEquals(1, jedis.geoadd("jedis:sicily", 13.361389, 38.115556, "Palermo"));
            assertEquals(1, jedis.geoadd("jedis:sicily", 15.087269, 37.502669, "Catania"));
            assertEquals(166274.1516, jedis.geodist("jedis:sicily", "Palermo", "Catania"));
            GeoCoordinate palermo = jedis.geopos("jedis:sicily", "Palermo").get(0);
            assertEquals(13.36138933897018433, palermo.getLongitude());
            assertEquals(38.11555639549629859, palermo.getLatitude());
            assertEquals(List.of("sqc8b49rny0"), jedis.geohash("jedis:sicily", "Palermo"));
            List<GeoRadiusResponse> found = jedis.geosearch("jedis:sicily",
                    new GeoSearchParam().fromLonLat(15, 37).byRadius(200, GeoUnit.KM).withDist().asc());
            assertEquals(List.of("Catania", "Palermo"), found.stream().map(GeoRadiusResponse::getMemberByString).toList());
            assertEquals(56.4413, found.get(0).getDistance());
            assertEquals(1, jedis.geosearchStore("jedis:near", "jedis:sicily",
                    new GeoSearchParam().fromMember("Palermo").byBox(10, 10, GeoUnit.KM)));
            assertEquals(List.of("Palermo"), jedis.zrange("jedis:near", 0, -1));
        }
    }

    @Test
    void lettuceOverResp3() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertEquals(2, sync.geoadd("lettuce:sicily", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"));
            GeoCoordinates catania = sync.geopos("lettuce:sicily", "Catania").get(0);
            assertEquals(15.08726745843887329, catania.getX().doubleValue());
            assertEquals(37.50266842333162032, catania.getY().doubleValue());
            assertEquals(166.2742, sync.geodist("lettuce:sicily", "Palermo", "Catania", GeoArgs.Unit.km));
            List<GeoWithin<String>> within = sync.geosearch("lettuce:sicily", GeoSearch.fromCoordinates(15, 37),
                    GeoSearch.byRadius(200, GeoArgs.Unit.km), new GeoArgs().withDistance().withCoordinates().desc());
            assertEquals(List.of("Palermo", "Catania"), within.stream().map(GeoWithin::getMember).toList());
            assertEquals(190.4424, within.get(0).getDistance());
            assertEquals(13.36138933897018433, within.get(0).getCoordinates().getX().doubleValue());
            assertEquals(1, sync.georadius("lettuce:sicily", 15, 37, 100, GeoArgs.Unit.km).size());
        }
    }
}
