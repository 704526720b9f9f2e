package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.GeoHash;
import dev.millrace.engine.types.GeoSearch;
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The geo commands, on sorted sets whose scores are 52-bit geohashes ({@link GeoHash}), as Redis 7.0's
 * geo.c (BSD-3-Clause, see {@link GeoHash}): GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
 * GEOSEARCHSTORE, GEORADIUS, GEORADIUS_RO, GEORADIUSBYMEMBER, GEORADIUSBYMEMBER_RO. Every one works on
 * any sorted set, and a geo set is an ordinary one (ZRANGE, TYPE, OBJECT ENCODING see a zset).
 *
 * <p>Effects: GEOADD logs the ZADD it amounts to (Redis rewrites it so: {@code ZADD key [options]
 * score member ...}); the storing searches log their own argv, which replays to the same result.
 * Execution thread only.
 */
public final class GeoCommands implements CommandFamily {

    /** @param engine not needed: the commands reach everything through their {@link Call} */
    public GeoCommands(Engine engine) {
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("geoadd", this::add);
        bind.bind("geopos", this::position);
        bind.bind("geodist", this::distance);
        bind.bind("geohash", this::hash);
        bind.bind("geosearch", call -> search(call, 1, Variant.SEARCH));
        bind.bind("geosearchstore", call -> search(call, 2, Variant.SEARCH_STORE));
        bind.bind("georadius", call -> search(call, 1, Variant.RADIUS));
        bind.bind("georadius_ro", call -> search(call, 1, Variant.RADIUS_RO));
        bind.bind("georadiusbymember", call -> search(call, 1, Variant.RADIUS_BY_MEMBER));
        bind.bind("georadiusbymember_ro", call -> search(call, 1, Variant.RADIUS_BY_MEMBER_RO));
    }

    // ---------------------------------------------------------------- GEOADD

    /**
     * GEOADD key [NX|XX] [CH] longitude latitude member [...]: ZADD of each point's score. Every pair is
     * checked before the key is looked at, so a bad one wins over WRONGTYPE.
     */
    private void add(Call call) {
        boolean nx = false;
        boolean xx = false;
        boolean ch = false;
        int first = 2;
        for (; first < call.argc(); first++) {
            if (call.argIs(first, "nx")) {
                nx = true;
            } else if (call.argIs(first, "xx")) {
                xx = true;
            } else if (call.argIs(first, "ch")) {
                ch = true;
            } else {
                break;
            }
        }
        int arguments = call.argc() - first;
        // an empty list passes Redis's own check, then fails ZADD's
        if (arguments % 3 != 0 || (xx && nx) || arguments == 0) {
            call.syntaxError();
            return;
        }
        int points = arguments / 3;
        long[] scores = new long[points];
        for (int p = 0; p < points; p++) {
            double[] xy = longLat(call, first + 3 * p);
            if (xy == null) {
                return;
            }
            scores[p] = GeoHash.score(xy[0], xy[1]);
        }

        byte[] key = call.arg(1);
        byte[] record = ZSetCommands.lookup(call, key, true);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        if (record == null && xx) {
            call.reply().integer(0);
            return;
        }
        StoredZSet stored = record == null ? StoredZSet.create(call, key, call.arg(first + 2))
                : StoredZSet.load(call, key, record);
        ZSet.AddOptions options = new ZSet.AddOptions(nx, xx, false, false, false);
        long added = 0;
        long updated = 0;
        for (int p = 0; p < points; p++) {
            switch (stored.value().add(call.arg(first + 3 * p + 2), scores[p], options).outcome()) {
                case ADDED -> added++;
                case UPDATED -> updated++;
                default -> { }
            }
        }
        if (added + updated > 0) {
            stored.save(added + updated);
            byte[][] zadd = new byte[first + 2 * points][];
            zadd[0] = "zadd".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(call.argv(), 1, zadd, 1, first - 1);
            for (int p = 0; p < points; p++) {
                zadd[first + 2 * p] = Long.toString(scores[p]).getBytes(StandardCharsets.US_ASCII);
                zadd[first + 2 * p + 1] = call.arg(first + 3 * p + 2);
            }
            call.effect(zadd);
        }
        call.reply().integer(ch ? added + updated : added);
    }

    /**
     * extractLongLatOrReply: two doubles at {@code index} that must be a storable point.
     *
     * @return {longitude, latitude}, or null after an error reply
     */
    private static double[] longLat(Call call, int index) {
        Double longitude = Numbers.parseDouble(call.arg(index));
        Double latitude = longitude == null ? null : Numbers.parseDouble(call.arg(index + 1));
        if (latitude == null) {
            call.reply().error(Errors.NOT_FLOAT);
            return null;
        }
        if (!GeoHash.valid(longitude, latitude)) {
            call.reply().error(Errors.geoInvalidPair(printfF(longitude), printfF(latitude)));
            return null;
        }
        return new double[]{longitude, latitude};
    }

    // ---------------------------------------------------------------- GEOPOS, GEODIST, GEOHASH

    /** GEOPOS key [member ...]: each member's decoded position, or a null array. */
    private void position(Call call) {
        ZSet zset = readZSet(call);
        if (zset == WRONG_TYPE) {
            return;
        }
        ReplyWriter out = call.reply();
        out.array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            Double score = zset == null ? null : zset.score(call.arg(i));
            if (score == null) {
                out.nullArray();
            } else {
                double[] xy = GeoHash.decode(score);
                replyCoordinates(out, xy[0], xy[1]);
            }
        }
    }

    /** GEODIST key member1 member2 [unit]: null unless both are there. */
    private void distance(Call call) {
        double toMeters = 1;
        if (call.argc() == 5) {
            toMeters = unit(call, 4);
            if (toMeters < 0) {
                return;
            }
        } else if (call.argc() > 5) {
            call.syntaxError();
            return;
        }
        ZSet zset = readZSet(call);
        if (zset == WRONG_TYPE) {
            return;
        }
        Double score1 = zset == null ? null : zset.score(call.arg(2));
        Double score2 = score1 == null ? null : zset.score(call.arg(3));
        if (score2 == null) {
            call.reply().nullBulk();
            return;
        }
        double[] a = GeoHash.decode(score1);
        double[] b = GeoHash.decode(score2);
        replyDistance(call.reply(), GeoHash.distance(a[0], a[1], b[0], b[1]) / toMeters);
    }

    /** GEOHASH key [member ...]: each member's 11-character standard geohash, or null. */
    private void hash(Call call) {
        ZSet zset = readZSet(call);
        if (zset == WRONG_TYPE) {
            return;
        }
        ReplyWriter out = call.reply();
        out.array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            Double score = zset == null ? null : zset.score(call.arg(i));
            if (score == null) {
                out.nullBulk();
            } else {
                double[] xy = GeoHash.decode(score);
                out.bulk(GeoHash.standardGeohash(xy[0], xy[1]));
            }
        }
    }

    /** What {@link #readZSet} returns after replying WRONGTYPE. */
    private static final ZSet WRONG_TYPE = ZSet.build(List.of(), new ZSet.Limits(1, 1), () -> {
        throw new IllegalStateException("the WRONGTYPE marker is never changed");
    });

    /** The sorted set at argument 1 for reading: null when missing, {@link #WRONG_TYPE} after replying so. */
    private static ZSet readZSet(Call call) {
        byte[] record = ZSetCommands.lookup(call, call.arg(1), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return WRONG_TYPE;
        }
        return record == null ? null : StoredZSet.read(call, record);
    }

    // ---------------------------------------------------------------- the searches

    /** The search commands: where their arguments start and which options they take. */
    private enum Variant {
        SEARCH(true, false, false, false),
        SEARCH_STORE(true, false, false, true),
        RADIUS(false, false, true, false),
        RADIUS_RO(false, false, false, false),
        RADIUS_BY_MEMBER(false, true, true, false),
        RADIUS_BY_MEMBER_RO(false, true, false, false);

        final boolean geosearch;
        final boolean byMember;
        /** GEORADIUS and GEORADIUSBYMEMBER take STORE and STOREDIST key. */
        final boolean storeOption;
        final boolean searchStore;

        Variant(boolean geosearch, boolean byMember, boolean storeOption, boolean searchStore) {
            this.geosearch = geosearch;
            this.byMember = byMember;
            this.storeOption = storeOption;
            this.searchStore = searchStore;
        }
    }

    /** The parsed options of a search. */
    private static final class Request {
        double longitude;
        double latitude;
        boolean box;
        double radius;
        double width;
        double height;
        double conversion;
        boolean withDist;
        boolean withHash;
        boolean withCoord;
        boolean any;
        /** 0 for no limit. */
        long count;
        /** 0 none, 1 ascending, -1 descending. */
        int sort;
        byte[] storeKey;
        boolean storeDist;
        boolean fromMember;
        boolean fromLonLat;
        boolean byRadius;
        boolean byBox;

        GeoSearch.Shape shape() {
            return box ? GeoSearch.Shape.box(longitude, latitude, width, height, conversion)
                    : GeoSearch.Shape.circle(longitude, latitude, radius, conversion);
        }
    }

    /**
     * georadiusGeneric: the key is looked up first (WRONGTYPE wins), then the arguments are parsed in
     * Redis's order with its errors, then the 9-box search, sorting, and the reply or the stored set.
     */
    private void search(Call call, int sourceIndex, Variant variant) {
        byte[] record = ZSetCommands.lookup(call, call.arg(sourceIndex), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        ZSet zset = record == null ? null : StoredZSet.read(call, record);
        Request request = new Request();
        int baseArgs;
        if (variant.geosearch) {
            baseArgs = variant.searchStore ? 3 : 2;
            if (variant.searchStore) {
                request.storeKey = call.arg(1);
            }
        } else if (variant.byMember) {
            baseArgs = 5;
            if (zset != null) {
                if (!memberPosition(call, zset, call.arg(2), request)) {
                    return;
                }
                if (!radius(call, 3, request)) {
                    return;
                }
            }
        } else {
            baseArgs = 6;
            double[] xy = longLat(call, 2);
            if (xy == null || !radius(call, 4, request)) {
                return;
            }
            request.longitude = xy[0];
            request.latitude = xy[1];
        }
        if (!parseOptions(call, zset, baseArgs, variant, request)) {
            return;
        }
        if (zset == null) {
            if (request.storeKey != null) {
                call.keyspace().delete(call.db(), request.storeKey, call.now());
                call.reply().integer(0);
            } else {
                call.reply().array(0);
            }
            return;
        }
        if (request.count != 0 && request.sort == 0 && !request.any) {
            request.sort = 1;
        }
        List<GeoSearch.Point> found = GeoSearch.search(zset, request.shape(), request.any ? request.count : 0).points();
        if (found.isEmpty() && request.storeKey == null) {
            call.reply().array(0);
            return;
        }
        if (request.sort != 0) {
            // a stable sort, as glibc's qsort (a merge sort) leaves equal distances in the order found
            Comparator<GeoSearch.Point> byDistance = Comparator.comparingDouble(GeoSearch.Point::distance);
            found = new ArrayList<>(found);
            found.sort(request.sort > 0 ? byDistance : (a, b) -> -Double.compare(a.distance(), b.distance()));
        }
        int returned = request.count == 0 || found.size() < request.count ? found.size() : (int) request.count;
        if (request.storeKey == null) {
            replyPoints(call.reply(), found.subList(0, returned), request);
        } else {
            List<ZSet.Element> elements = new ArrayList<>(returned);
            for (GeoSearch.Point p : found.subList(0, returned)) {
                elements.add(new ZSet.Element(p.member(),
                        request.storeDist ? p.distance() / request.conversion : p.score()));
            }
            ZRangeCommands.storeResult(call, request.storeKey, elements);
        }
    }

    /** The position of the search's centre member; false after replying that it cannot be decoded. */
    private static boolean memberPosition(Call call, ZSet zset, byte[] member, Request request) {
        Double score = zset.score(member);
        if (score == null) {
            call.reply().error(Errors.GEO_MEMBER_NOT_DECODED);
            return false;
        }
        double[] xy = GeoHash.decode(score);
        request.longitude = xy[0];
        request.latitude = xy[1];
        return true;
    }

    /** extractDistanceOrReply: radius and unit at {@code index}; false after an error reply. */
    private static boolean radius(Call call, int index, Request request) {
        Double radius = Numbers.parseDouble(call.arg(index));
        if (radius == null) {
            call.reply().error(Errors.GEO_NEED_NUMERIC_RADIUS);
            return false;
        }
        if (radius < 0) {
            call.reply().error(Errors.GEO_RADIUS_NEGATIVE);
            return false;
        }
        request.radius = radius;
        request.conversion = unit(call, index + 1);
        request.box = false;
        return request.conversion >= 0;
    }

    /** extractBoxOrReply: width, height and unit at {@code index}; false after an error reply. */
    private static boolean box(Call call, int index, Request request) {
        Double width = Numbers.parseDouble(call.arg(index));
        Double height = width == null ? null : Numbers.parseDouble(call.arg(index + 1));
        if (width == null) {
            call.reply().error(Errors.GEO_NEED_NUMERIC_WIDTH);
            return false;
        }
        if (height == null) {
            call.reply().error(Errors.GEO_NEED_NUMERIC_HEIGHT);
            return false;
        }
        if (height < 0 || width < 0) {
            call.reply().error(Errors.GEO_BOX_NEGATIVE);
            return false;
        }
        request.width = width;
        request.height = height;
        request.conversion = unit(call, index + 2);
        request.box = true;
        return request.conversion >= 0;
    }

    /** The options after the fixed arguments, then the checks of their combinations; false after an error. */
    private static boolean parseOptions(Call call, ZSet zset, int baseArgs, Variant variant, Request r) {
        int remaining = call.argc() - baseArgs;
        for (int i = 0; i < remaining; i++) {
            int at = baseArgs + i;
            if (call.argIs(at, "withdist")) {
                r.withDist = true;
            } else if (call.argIs(at, "withhash")) {
                r.withHash = true;
            } else if (call.argIs(at, "withcoord")) {
                r.withCoord = true;
            } else if (call.argIs(at, "any")) {
                r.any = true;
            } else if (call.argIs(at, "asc")) {
                r.sort = 1;
            } else if (call.argIs(at, "desc")) {
                r.sort = -1;
            } else if (call.argIs(at, "count") && i + 1 < remaining) {
                Long count = Numbers.parseLong(call.arg(at + 1));
                if (count == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return false;
                }
                if (count <= 0) {
                    call.reply().error(Errors.GEO_COUNT_NOT_POSITIVE);
                    return false;
                }
                r.count = count;
                i++;
            } else if ((call.argIs(at, "store") || call.argIs(at, "storedist")) && i + 1 < remaining
                    && variant.storeOption) {
                r.storeKey = call.arg(at + 1);
                r.storeDist = call.argIs(at, "storedist");
                i++;
            } else if (call.argIs(at, "storedist") && variant.searchStore) {
                r.storeDist = true;
            } else if (call.argIs(at, "frommember") && i + 1 < remaining && variant.geosearch && !r.fromLonLat) {
                // with no source key the member is not looked for: the reply is empty anyway
                if (zset != null && !memberPosition(call, zset, call.arg(at + 1), r)) {
                    return false;
                }
                r.fromMember = true;
                i++;
            } else if (call.argIs(at, "fromlonlat") && i + 2 < remaining && variant.geosearch && !r.fromMember) {
                double[] xy = longLat(call, at + 1);
                if (xy == null) {
                    return false;
                }
                r.longitude = xy[0];
                r.latitude = xy[1];
                r.fromLonLat = true;
                i += 2;
            } else if (call.argIs(at, "byradius") && i + 2 < remaining && variant.geosearch && !r.byBox) {
                if (!radius(call, at + 1, r)) {
                    return false;
                }
                r.byRadius = true;
                i += 2;
            } else if (call.argIs(at, "bybox") && i + 3 < remaining && variant.geosearch && !r.byRadius) {
                if (!box(call, at + 1, r)) {
                    return false;
                }
                r.byBox = true;
                i += 3;
            } else {
                call.syntaxError();
                return false;
            }
        }
        if (r.storeKey != null && (r.withDist || r.withHash || r.withCoord)) {
            call.reply().error(variant.searchStore ? Errors.GEOSEARCHSTORE_WITH : Errors.GEORADIUS_STORE_WITH);
            return false;
        }
        if (variant.geosearch && !(r.fromMember || r.fromLonLat)) {
            call.reply().error(Errors.geoNeedsFrom(call.argString(0)));
            return false;
        }
        if (variant.geosearch && !(r.byRadius || r.byBox)) {
            call.reply().error(Errors.geoNeedsBy(call.argString(0)));
            return false;
        }
        if (r.any && r.count == 0) {
            call.reply().error(Errors.GEO_ANY_NEEDS_COUNT);
            return false;
        }
        return true;
    }

    /** The results: members, or [member, dist?, hash?, [lon, lat]?] when any WITH option is given. */
    private static void replyPoints(ReplyWriter out, List<GeoSearch.Point> points, Request r) {
        int options = (r.withDist ? 1 : 0) + (r.withHash ? 1 : 0) + (r.withCoord ? 1 : 0);
        out.array(points.size());
        for (GeoSearch.Point p : points) {
            if (options > 0) {
                out.array(options + 1);
            }
            out.bulk(p.member());
            if (r.withDist) {
                replyDistance(out, p.distance() / r.conversion);
            }
            if (r.withHash) {
                out.integer((long) p.score());
            }
            if (r.withCoord) {
                replyCoordinates(out, p.longitude(), p.latitude());
            }
        }
    }

    // ---------------------------------------------------------------- units and formatting

    /** extractUnitOrReply: meters per unit, or -1 after the error reply. */
    private static double unit(Call call, int index) {
        if (call.argIs(index, "m")) {
            return 1;
        } else if (call.argIs(index, "km")) {
            return 1000;
        } else if (call.argIs(index, "ft")) {
            return 0.3048;
        } else if (call.argIs(index, "mi")) {
            return 1609.34;
        }
        call.reply().error(Errors.GEO_UNSUPPORTED_UNIT);
        return -1;
    }

    /** A distance as Redis replies it: a bulk string of {@code %.4f}. */
    private static void replyDistance(ReplyWriter out, double distance) {
        out.bulk(fixed(distance, 4));
    }

    /** A position: two doubles as Redis's addReplyHumanLongDouble prints them (%.17Lf, trailing zeros cut). */
    private static void replyCoordinates(ReplyWriter out, double longitude, double latitude) {
        out.array(2);
        out.doubleText(human(longitude));
        out.doubleText(human(latitude));
    }

    private static String human(double value) {
        String s = fixed(value, 17);
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
            s = s.substring(0, end);
        }
        return s.equals("-0") ? "0" : s;
    }

    /** C's {@code %f} (6 decimals), as the invalid-pair error prints a coordinate. */
    private static String printfF(double value) {
        return fixed(value, 6);
    }

    /**
     * C's {@code %.Nf} as glibc prints it: the exact binary value rounded half-even to {@code decimals}
     * digits, "-" kept on a negative value that rounds to zero, "inf"/"-inf" for the infinities.
     */
    private static String fixed(double value, int decimals) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(value)) {
            return "nan";
        }
        String digits = new BigDecimal(Math.abs(value)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = value < 0 || (value == 0 && 1 / value < 0);
        return negative ? "-" + digits : digits;
    }
}
