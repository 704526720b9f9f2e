package dev.millrace.engine.types;

/**
 * Redis's geohash arithmetic (a port of geohash.c and geohash_helper.c of Redis 7.0, BSD-3-Clause:
 * Copyright (c) 2013-2014 yinqiwen, 2014 Matt Stancliff, 2015-2016 Salvatore Sanfilippo; all rights
 * reserved): a point is a 52-bit score made by interleaving 26 bits of latitude and 26 bits of
 * longitude over the Web Mercator limits; a search covers its shape with the geohash box around the
 * centre and its 8 neighbours, each a score range of the sorted set; distances are haversine on a
 * sphere of Redis's radius. Every step is done in the same order of double operations as Redis so
 * the results, down to the last bit, match its own.
 *
 * <p>Stateless and thread-safe.
 */
public final class GeoHash {
    public static final double LONG_MIN = -180;
    public static final double LONG_MAX = 180;
    public static final double LAT_MIN = -85.05112878;
    public static final double LAT_MAX = 85.05112878;
    /** Bits per coordinate of a stored point: 2 x 26 = 52, exact in a double score. */
    public static final int STEP_MAX = 26;
    static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
    private static final double MERCATOR_MAX = 20037726.37;
    private static final double D_R = Math.PI / 180.0;

    private GeoHash() { }

    /** A geohash of {@code step} bits per coordinate; (0, 0) is Redis's "zero" hash, meaning no area. */
    public record Bits(long bits, int step) {
        static final Bits ZERO = new Bits(0, 0);

        public boolean isZero() {
            return bits == 0 && step == 0;
        }

        /** The hash left-aligned to 52 bits: the lowest score of its box (geohashAlign52Bits). */
        public long align52() {
            return bits << (52 - step * 2);
        }
    }

    /** The rectangle of a geohash, in degrees. */
    public record Area(double longitudeMin, double longitudeMax, double latitudeMin, double latitudeMax) {
    }

    /** The center box and its neighbours, in Redis's search order; excluded neighbours are {@link Bits#ZERO}. */
    public record Areas(Bits[] boxes) {
    }

    /** Whether a longitude, latitude pair can be stored (the check of GEOADD and FROMLONLAT). */
    public static boolean valid(double longitude, double latitude) {
        return !(longitude < LONG_MIN || longitude > LONG_MAX || latitude < LAT_MIN || latitude > LAT_MAX);
    }

    /** The 52-bit score GEOADD stores for a valid point. */
    public static long score(double longitude, double latitude) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, STEP_MAX).align52();
    }

    /**
     * geohashEncode over the given ranges: null when the point is outside them or the Mercator limits.
     */
    static Bits encode(double longMin, double longMax, double latMin, double latMax,
                       double longitude, double latitude, int step) {
        if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX || latitude < LAT_MIN) {
            return null;
        }
        if (latitude < latMin || latitude > latMax || longitude < longMin || longitude > longMax) {
            return null;
        }
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double longOffset = (longitude - longMin) / (longMax - longMin);
        latOffset *= (1L << step);
        longOffset *= (1L << step);
        return new Bits(interleave((long) latOffset & 0xFFFFFFFFL, (long) longOffset & 0xFFFFFFFFL), step);
    }

    /**
     * The 11-character standard geohash GEOHASH replies: the point re-encoded over latitudes -90..90
     * (Redis's own cells use the Mercator limits), 5 bits a character, the 11th always '0'.
     */
    public static String standardGeohash(double longitude, double latitude) {
        String alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
        Bits hash = encode(-180, 180, -90, 90, longitude, latitude, STEP_MAX);
        long bits = hash == null ? 0 : hash.bits();
        StringBuilder out = new StringBuilder(11);
        for (int i = 0; i < 11; i++) {
            int index = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
            out.append(alphabet.charAt(index));
        }
        return out.toString();
    }

    /**
     * The point a sorted-set score stands for (decodeGeohash: the centre of its 26-step box, clamped to
     * the limits), as
     * {longitude, latitude}. Any score decodes, as in Redis: the double is converted to an unsigned
     * 64-bit integer the way x86-64 code compiled by gcc does it.
     */
    public static double[] decode(double score) {
        Area area = decodeArea(new Bits(toUnsigned64(score), STEP_MAX));
        // clamped: a score with bits above the 52 (or a point stored on the very edge) decodes past the limits
        double longitude = Math.max(LONG_MIN, Math.min(LONG_MAX, (area.longitudeMin() + area.longitudeMax()) / 2));
        double latitude = Math.max(LAT_MIN, Math.min(LAT_MAX, (area.latitudeMin() + area.latitudeMax()) / 2));
        return new double[]{longitude, latitude};
    }

    /** C's {@code (uint64_t) d} on x86-64 (cvttsd2si, with the 2^63 adjustment for large values). */
    private static long toUnsigned64(double d) {
        double twoTo63 = 9.223372036854775808E18;
        if (d < twoTo63) {
            return (long) d;
        }
        double reduced = d - twoTo63;
        long low = reduced >= twoTo63 || Double.isNaN(reduced) ? Long.MIN_VALUE : (long) reduced;
        return low ^ Long.MIN_VALUE;
    }

    /** geohashDecode over the Mercator ranges. */
    static Area decodeArea(Bits hash) {
        long separated = deinterleave(hash.bits());
        double latScale = LAT_MAX - LAT_MIN;
        double longScale = LONG_MAX - LONG_MIN;
        double ilato = separated & 0xFFFFFFFFL;
        double ilono = separated >>> 32;
        double cells = (double) (1L << hash.step());
        return new Area(
                LONG_MIN + (ilono * 1.0 / cells) * longScale,
                LONG_MIN + ((ilono + 1) * 1.0 / cells) * longScale,
                LAT_MIN + (ilato * 1.0 / cells) * latScale,
                LAT_MIN + ((ilato + 1) * 1.0 / cells) * latScale);
    }

    // ---------------------------------------------------------------- distances

    private static double degRad(double angle) {
        return angle * D_R;
    }

    private static double radDeg(double angle) {
        return angle / D_R;
    }

    /** Haversine distance in meters (geohashGetDistance of Redis 7.0). */
    public static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lat1r = degRad(lat1d);
        double lon1r = degRad(lon1d);
        double lat2r = degRad(lat2d);
        double lon2r = degRad(lon2d);
        double u = Math.sin((lat2r - lat1r) / 2);
        double v = Math.sin((lon2r - lon1r) / 2);
        return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
    }

    /**
     * Whether a point (x2, y2) is in the box of {@code widthMeters} x {@code heightMeters} centred on
     * (x1, y1), measured along the parallel and the meridian through the point, as Redis 7.0 does; the
     * distance from the centre, or -1 when outside.
     */
    public static double distanceIfInRectangle(double widthMeters, double heightMeters, double x1, double y1,
                                               double x2, double y2) {
        double lonDistance = distance(x2, y2, x1, y2);
        double latDistance = distance(x2, y2, x2, y1);
        if (lonDistance > widthMeters / 2 || latDistance > heightMeters / 2) {
            return -1;
        }
        return distance(x1, y1, x2, y2);
    }

    // ---------------------------------------------------------------- search areas

    /** geohashEstimateStepsByRadius: the step whose cells are about as big as the search. */
    static int estimateStepsByRadius(double rangeMeters, double latitude) {
        if (rangeMeters == 0) {
            return 26;
        }
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (latitude > 66 || latitude < -66) {
            step--;
            if (latitude > 80 || latitude < -80) {
                step--;
            }
        }
        return Math.max(1, Math.min(26, step));
    }

    /**
     * The bounding box {minLon, minLat, maxLon, maxLat} of a search of half-height and half-width
     * given in meters (geohashBoundingBox): wider at the latitude edge nearer the pole.
     */
    static double[] boundingBox(double longitude, double latitude, double halfWidthMeters, double halfHeightMeters) {
        double latDelta = radDeg(halfHeightMeters / EARTH_RADIUS_IN_METERS);
        double longDeltaTop = radDeg(halfWidthMeters / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
        double longDeltaBottom = radDeg(halfWidthMeters / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
        boolean southern = latitude < 0;
        return new double[]{
                southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
                latitude - latDelta,
                southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
                latitude + latDelta};
    }

    /**
     * geohashCalculateAreasByShapeWGS84: the 9 boxes (centre, N, S, E, W, NE, NW, SE, SW) that cover a
     * search around a point, with the boxes that cannot hold a match zeroed.
     *
     * @param radiusMeters     the radius, or the half-diagonal of a box search
     * @param halfWidthMeters  the radius, or half the box's width
     * @param halfHeightMeters the radius, or half the box's height
     */
    public static Areas areas(double longitude, double latitude, double radiusMeters,
                              double halfWidthMeters, double halfHeightMeters) {
        double[] bounds = boundingBox(longitude, latitude, halfWidthMeters, halfHeightMeters);
        double minLon = bounds[0];
        double minLat = bounds[1];
        double maxLon = bounds[2];
        double maxLat = bounds[3];
        int steps = estimateStepsByRadius(radiusMeters, latitude);
        Bits hash = encodeStep(longitude, latitude, steps);
        Bits[] neighbors = neighbors(hash);
        Area area = decodeArea(hash);

        // the estimated step may leave the search touching beyond a neighbour: then use bigger boxes
        boolean decreaseStep = decodeArea(neighbors[NORTH]).latitudeMax() < maxLat
                || decodeArea(neighbors[SOUTH]).latitudeMin() > minLat
                || decodeArea(neighbors[EAST]).longitudeMax() < maxLon
                || decodeArea(neighbors[WEST]).longitudeMin() > minLon;
        if (steps > 1 && decreaseStep) {
            steps--;
            hash = encodeStep(longitude, latitude, steps);
            neighbors = neighbors(hash);
            area = decodeArea(hash);
        }
        if (steps >= 2) {
            if (area.latitudeMin() < minLat) {
                zero(neighbors, SOUTH, SOUTH_WEST, SOUTH_EAST);
            }
            if (area.latitudeMax() > maxLat) {
                zero(neighbors, NORTH, NORTH_EAST, NORTH_WEST);
            }
            if (area.longitudeMin() < minLon) {
                zero(neighbors, WEST, SOUTH_WEST, NORTH_WEST);
            }
            if (area.longitudeMax() > maxLon) {
                zero(neighbors, EAST, SOUTH_EAST, NORTH_EAST);
            }
        }
        Bits[] boxes = new Bits[9];
        boxes[0] = hash;
        System.arraycopy(neighbors, 0, boxes, 1, 8);
        return new Areas(boxes);
    }

    /** A point's box at {@code step}; a point outside the limits (a centre decoded from a foreign score) gets box 0. */
    private static Bits encodeStep(double longitude, double latitude, int step) {
        Bits hash = encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
        return hash != null ? hash : new Bits(0, step);
    }

    // neighbour indexes, in the order membersOfAllNeighbors visits them after the centre
    private static final int NORTH = 0;
    private static final int SOUTH = 1;
    private static final int EAST = 2;
    private static final int WEST = 3;
    private static final int NORTH_EAST = 4;
    private static final int NORTH_WEST = 5;
    private static final int SOUTH_EAST = 6;
    private static final int SOUTH_WEST = 7;

    private static void zero(Bits[] neighbors, int... which) {
        for (int i : which) {
            neighbors[i] = Bits.ZERO;
        }
    }

    private static Bits[] neighbors(Bits hash) {
        Bits[] n = new Bits[8];
        n[NORTH] = moveY(hash, 1);
        n[SOUTH] = moveY(hash, -1);
        n[EAST] = moveX(hash, 1);
        n[WEST] = moveX(hash, -1);
        n[NORTH_EAST] = moveY(moveX(hash, 1), 1);
        n[NORTH_WEST] = moveY(moveX(hash, -1), 1);
        n[SOUTH_EAST] = moveY(moveX(hash, 1), -1);
        n[SOUTH_WEST] = moveY(moveX(hash, -1), -1);
        return n;
    }

    /** geohash_move_x: one box east (d > 0) or west, wrapping around. */
    private static Bits moveX(Bits hash, int d) {
        long x = hash.bits() & 0xaaaaaaaaaaaaaaaaL;
        long y = hash.bits() & 0x5555555555555555L;
        long zz = 0x5555555555555555L >>> (64 - hash.step() * 2);
        if (d > 0) {
            x = x + (zz + 1);
        } else {
            x = x | zz;
            x = x - (zz + 1);
        }
        x &= (0xaaaaaaaaaaaaaaaaL >>> (64 - hash.step() * 2));
        return new Bits(x | y, hash.step());
    }

    /** geohash_move_y: one box north (d > 0) or south, wrapping around. */
    private static Bits moveY(Bits hash, int d) {
        long x = hash.bits() & 0xaaaaaaaaaaaaaaaaL;
        long y = hash.bits() & 0x5555555555555555L;
        long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - hash.step() * 2);
        if (d > 0) {
            y = y + (zz + 1);
        } else {
            y = y | zz;
            y = y - (zz + 1);
        }
        y &= (0x5555555555555555L >>> (64 - hash.step() * 2));
        return new Bits(x | y, hash.step());
    }

    // ---------------------------------------------------------------- bit interleaving

    /** Bits of x in the even positions, of y in the odd ones (x and y below 2^32). */
    private static long interleave(long x, long y) {
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** The inverse of {@link #interleave}: even bits in the low 32 bits, odd bits in the high 32. */
    private static long deinterleave(long interleaved) {
        long x = interleaved;
        long y = interleaved >>> 1;
        x = x & 0x5555555555555555L;
        y = y & 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }
}
