package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A geo search on a sorted set, as Redis 7.0's geo.c runs it (BSD-3-Clause, see {@link GeoHash}):
 * the shape is covered by the 9 boxes of {@link GeoHash#areas}, each box is one score range of the
 * set (O(log n + m) each), and every member met is kept when it lies inside the shape. Members come
 * out in the order met (box by box, by score within a box); the caller sorts them.
 *
 * <p>Execution thread only (it reads the set).
 */
public final class GeoSearch {

    /**
     * Where and what to search: a circle of {@code radius}, or a box of {@code width} x {@code height},
     * around a point, the lengths in a unit of {@code conversion} meters.
     */
    public record Shape(double longitude, double latitude, boolean box, double radius, double width, double height,
                        double conversion) {
        public static Shape circle(double longitude, double latitude, double radius, double conversion) {
            return new Shape(longitude, latitude, false, radius, 0, 0, conversion);
        }

        public static Shape box(double longitude, double latitude, double width, double height, double conversion) {
            return new Shape(longitude, latitude, true, 0, width, height, conversion);
        }

        /** The distance from the centre in meters when the point is inside, else -1. */
        public double distanceIfInside(double pointLongitude, double pointLatitude) {
            if (box) {
                return GeoHash.distanceIfInRectangle(width * conversion, height * conversion,
                        longitude, latitude, pointLongitude, pointLatitude);
            }
            double distance = GeoHash.distance(longitude, latitude, pointLongitude, pointLatitude);
            return distance > radius * conversion ? -1 : distance;
        }
    }

    /** A member found, with its score, decoded position and distance from the centre in meters. */
    public record Point(byte[] member, double score, double longitude, double latitude, double distance) {
    }

    /** The members found and how many elements the search looked at (its cost). */
    public record Result(List<Point> points, long examined) {
    }

    private GeoSearch() { }

    /**
     * The members of {@code zset} inside {@code shape}.
     *
     * @param limit with ANY, stop once this many are found; 0 for no limit
     */
    public static Result search(ZSet zset, Shape shape, long limit) {
        double radiusMeters = shape.box()
                ? Math.sqrt((shape.width() / 2) * (shape.width() / 2) + (shape.height() / 2) * (shape.height() / 2))
                : shape.radius();
        radiusMeters *= shape.conversion();
        double halfWidth = shape.conversion() * (shape.box() ? shape.width() / 2 : shape.radius());
        double halfHeight = shape.conversion() * (shape.box() ? shape.height() / 2 : shape.radius());
        GeoHash.Bits[] boxes = GeoHash.areas(shape.longitude(), shape.latitude(), radiusMeters, halfWidth, halfHeight)
                .boxes();

        List<Point> found = new ArrayList<>();
        long examined = 0;
        int lastProcessed = 0;
        for (int i = 0; i < boxes.length; i++) {
            GeoHash.Bits box = boxes[i];
            if (box.isZero()) {
                continue;
            }
            // with a huge radius neighbouring boxes can be the same box: Redis skips a repeat of the last one
            if (lastProcessed != 0 && box.equals(boxes[lastProcessed])) {
                continue;
            }
            if (limitReached(found, limit)) {
                break;
            }
            examined += membersOfBox(zset, box, shape, found, limit);
            lastProcessed = i;
        }
        return new Result(found, examined);
    }

    private static boolean limitReached(List<Point> found, long limit) {
        return !found.isEmpty() && limit != 0 && found.size() >= limit;
    }

    /** The members whose score is in the box's range [min, max); returns how many were looked at. */
    private static long membersOfBox(ZSet zset, GeoHash.Bits box, GeoSearch.Shape shape, List<Point> found, long limit) {
        double min = box.align52();
        double max = new GeoHash.Bits(box.bits() + 1, box.step()).align52();
        long first = zset.firstIndex(new ScoreRange(min, false, max, true));
        if (first < 0) {
            return 0;
        }
        long examined = 0;
        for (Iterator<ZSet.Element> it = zset.iterator(first, true); it.hasNext(); ) {
            ZSet.Element e = it.next();
            if (!(e.score() < max)) {
                break;
            }
            examined++;
            double[] xy = GeoHash.decode(e.score());
            double distance = shape.distanceIfInside(xy[0], xy[1]);
            if (distance >= 0) {
                found.add(new Point(e.member(), e.score(), xy[0], xy[1], distance));
            }
            if (limitReached(found, limit)) {
                break;
            }
        }
        return examined;
    }
}
