package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GeoSearch} against a brute-force scan of every member with Redis's distance tests: the 9 box
 * ranges must find exactly the members inside the shape, in both encodings of the set, for random
 * centres (poles and the antimeridian included) and radii from meters to thousands of kilometers. And
 * a search looks only at the members of its boxes, not at the whole set.
 */
class GeoSearchPropertyTest {

    private static ZSet randomSet(Random r, int size, ZSet.Limits limits, List<double[]> points) {
        ZSet zset = ZSet.build(List.of(), limits, PagedTreeTest.MapPages::new);
        for (int i = 0; i < size; i++) {
            double lon = r.nextDouble() * 360 - 180;
            double lat = r.nextInt(10) == 0 ? (r.nextBoolean() ? 1 : -1) * (80 + r.nextDouble() * 5.05)
                    : r.nextDouble() * 170.1 - 85.05;
            if (r.nextInt(10) == 0) {
                lon = (r.nextBoolean() ? 1 : -1) * (179 + r.nextDouble());
            }
            points.add(new double[]{lon, lat});
            zset.add(("m" + i).getBytes(StandardCharsets.US_ASCII), GeoHash.score(lon, lat), ZSet.AddOptions.PLAIN);
        }
        return zset;
    }

    private static Set<String> bruteForce(ZSet zset, GeoSearch.Shape shape) {
        Set<String> inside = new HashSet<>();
        for (var it = zset.iterator(0, true); it.hasNext(); ) {
            ZSet.Element e = it.next();
            double[] xy = GeoHash.decode(e.score());
            if (shape.distanceIfInside(xy[0], xy[1]) >= 0) {
                inside.add(new String(e.member(), StandardCharsets.US_ASCII));
            }
        }
        return inside;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void findsExactlyTheMembersInsideTheShape(long seed) {
        Random r = new Random(seed);
        boolean listpack = seed % 2 == 0;
        ZSet.Limits limits = listpack ? new ZSet.Limits(100_000, 64) : new ZSet.Limits(0, 64);
        List<double[]> points = new ArrayList<>();
        ZSet zset = randomSet(r, 3000, limits, points);
        assertEquals(listpack, zset.isListpack());
        for (int q = 0; q < 150; q++) {
            double[] center = r.nextBoolean() ? points.get(r.nextInt(points.size()))
                    : new double[]{r.nextDouble() * 360 - 180, r.nextDouble() * 170.1 - 85.05};
            double unit = new double[]{1, 1000, 0.3048, 1609.34}[r.nextInt(4)];
            double size = Math.pow(10, r.nextDouble() * 7) / unit;
            GeoSearch.Shape shape = r.nextBoolean() ? GeoSearch.Shape.circle(center[0], center[1], size, unit)
                    : GeoSearch.Shape.box(center[0], center[1], size, size * (0.2 + r.nextDouble() * 2), unit);
            List<GeoSearch.Point> found = GeoSearch.search(zset, shape, 0).points();
            Set<String> members = new HashSet<>();
            for (GeoSearch.Point p : found) {
                assertTrue(members.add(new String(p.member(), StandardCharsets.US_ASCII)), "found twice");
            }
            assertEquals(bruteForce(zset, shape), members, "seed " + seed + " query " + q + " " + shape);
        }
    }

    @Test
    void aSmallSearchLooksAtFewMembersOfALargeSet() {
        Random r = new Random(42);
        ZSet zset = randomSet(r, 200_000, new ZSet.Limits(0, 64), new ArrayList<>());
        GeoSearch.Result result = GeoSearch.search(zset, GeoSearch.Shape.circle(2.35, 48.85, 50, 1000), 0);
        // 50 km around Paris: the boxes cover a tiny share of the earth's 200,000 points
        assertTrue(result.examined() < 500, "examined " + result.examined());
        assertEquals(bruteForce(zset, GeoSearch.Shape.circle(2.35, 48.85, 50, 1000)).size(), result.points().size());
    }

    @Test
    void anyStopsOnceEnoughAreFound() {
        Random r = new Random(7);
        ZSet zset = randomSet(r, 5000, new ZSet.Limits(0, 64), new ArrayList<>());
        GeoSearch.Result all = GeoSearch.search(zset, GeoSearch.Shape.circle(0, 0, 20_000, 1000), 0);
        GeoSearch.Result any = GeoSearch.search(zset, GeoSearch.Shape.circle(0, 0, 20_000, 1000), 3);
        assertEquals(3, any.points().size());
        assertTrue(any.examined() < all.examined());
    }
}
