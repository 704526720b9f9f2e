package dev.millrace.engine.types;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HashValue} against a simple model, through random operations with small limits so hashes
 * turn large along the way: after every step the contents, the soonest expiry, positional access,
 * a full HSCAN and (while small) Redis's listpack order must match the model, also after the hash
 * is encoded and reopened as its record would be. Seeded, so every run tries the same cases.
 */
class HashValuePropertyTest {
    private static final int STEPS = 400;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 60);
    }

    /** The model: fields by name, and their order while the hash is small (the listpack rules). */
    private static final class Model {
        final Map<String, HashField> fields = new HashMap<>();
        final List<String> order = new ArrayList<>();

        void put(String name, byte[] value, boolean keepExpiry) {
            HashField old = fields.get(name);
            if (old == null) {
                fields.put(name, new HashField(bytes(name), value, HashField.NO_EXPIRY));
                order.add(name);
            } else if (keepExpiry || !old.hasExpiry()) {
                fields.put(name, old.withValue(value));
            } else {
                fields.put(name, new HashField(bytes(name), value, HashField.NO_EXPIRY));
                order.remove(name);
                order.add(name);
            }
        }

        void setExpireAt(String name, long at) {
            fields.put(name, fields.get(name).withExpireAt(at));
            order.remove(name);
            if (at == HashField.NO_EXPIRY) {
                order.add(name);
                return;
            }
            int i = 0;
            while (i < order.size() && fields.get(order.get(i)).hasExpiry() && fields.get(order.get(i)).expireAt() < at) {
                i++;
            }
            order.add(i, name);
        }

        void remove(String name) {
            fields.remove(name);
            order.remove(name);
        }

        long nextExpiry() {
            return fields.values().stream().filter(HashField::hasExpiry).mapToLong(HashField::expireAt).min()
                    .orElse(HashField.NO_EXPIRY);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void behavesAsTheModelInBothFormsAndAcrossTheConversion(long seed) {
        Random r = new Random(seed);
        PagedTreeTest.MapPages pages = new PagedTreeTest.MapPages(seed % 2 == 0);
        HashValue.Limits limits = new HashValue.Limits(r.nextInt(40), 4 + r.nextInt(12));
        HashValue hash = HashValue.empty(limits, () -> pages);
        Model model = new Model();
        long now = 1_000_000;
        for (int step = 0; step < STEPS; step++) {
            String name = "f" + r.nextInt(60) + (r.nextInt(8) == 0 ? "-long-name" : "");
            byte[] value = new byte[r.nextInt(r.nextInt(10) == 0 ? 20 : 8)];
            r.nextBytes(value);
            int op = r.nextInt(100);
            if (op < 35) {
                boolean keepExpiry = r.nextBoolean();
                boolean added = hash.put(bytes(name), value, keepExpiry);
                assertEquals(!model.fields.containsKey(name), added, "new field " + name);
                model.put(name, value, keepExpiry);
            } else if (op < 45) {
                byte[][] args = {bytes(name), value, bytes("other"), new byte[r.nextInt(20)]};
                hash.prepareFor(args, 0, 3);
            } else if (op < 60) {
                assertEquals(model.fields.containsKey(name), hash.remove(bytes(name)));
                model.remove(name);
            } else if (op < 80) {
                if (model.fields.containsKey(name)) {
                    long at = r.nextInt(4) == 0 ? HashField.NO_EXPIRY : now + r.nextInt(50);
                    hash.setExpireAt(bytes(name), at);
                    model.setExpireAt(name, at);
                }
            } else if (op < 88) {
                now += r.nextInt(10);
                long t = now;
                int limit = 1 + r.nextInt(5);
                List<byte[]> removed = hash.removeExpired(now, limit);
                List<HashField> due = model.fields.values().stream().filter(f -> f.expiredAt(t)).toList();
                assertEquals(Math.min(limit, due.size()), removed.size());
                long latestRemoved = Long.MIN_VALUE;
                for (byte[] gone : removed) {
                    HashField field = model.fields.get(string(gone));
                    assertTrue(field != null && field.expiredAt(now), string(gone) + " had expired");
                    latestRemoved = Math.max(latestRemoved, field.expireAt());
                    model.remove(string(gone));
                }
                for (HashField left : model.fields.values()) {
                    assertTrue(!left.expiredAt(now) || left.expireAt() >= latestRemoved, "soonest first");
                }
                long soonestLeft = model.nextExpiry();
                assertTrue(removed.size() == limit || soonestLeft == HashField.NO_EXPIRY || soonestLeft >= now,
                        "every due field removed within the limit");
            } else {
                hash = reopen(hash, pages, limits);
            }
            // the lookups on the hash itself; iteration on a copy, so the hash stays in the form it is in
            // (a small one works on its encoding until something needs its fields as objects)
            checkLookups(hash, model, "seed " + seed + " step " + step);
            check(reopen(hash, pages, limits), model, r, "seed " + seed + " step " + step);
        }
        for (String name : new ArrayList<>(model.fields.keySet())) {
            hash.remove(bytes(name));
        }
        assertEquals(0, hash.size());
        if (hash.isLarge()) {
            assertTrue(pages.pages.size() <= 2, "an empty large hash keeps only its trees' roots: " + pages.pages.size());
        }
    }

    /** The hash as its record would bring it back: small from its bytes, large from its header and pages. */
    private static HashValue reopen(HashValue hash, Pages pages, HashValue.Limits limits) {
        byte[] encoded = hash.encode();
        byte[] record = new byte[3 + encoded.length];
        System.arraycopy(encoded, 0, record, 3, encoded.length);
        assertEquals(hash.nextExpiry(), HashValue.nextExpiryOf(record, 3), "the soonest expiry readable in place");
        return hash.isLarge() ? HashValue.openLarge(pages, record, 3)
                : HashValue.decodeSmall(record, 3, limits, () -> pages);
    }

    private static void checkLookups(HashValue hash, Model model, String where) {
        assertEquals(model.fields.size(), hash.size(), where);
        assertEquals(model.nextExpiry(), hash.nextExpiry(), where);
        for (HashField expected : model.fields.values()) {
            HashField actual = hash.get(expected.name());
            assertArrayEquals(expected.value(), actual.value(), where);
            assertEquals(expected.expireAt(), actual.expireAt(), where);
        }
        assertNull(hash.get(bytes("absent")), where);
    }

    private static void check(HashValue hash, Model model, Random r, String where) {
        checkLookups(hash, model, where);
        List<String> iterated = new ArrayList<>();
        for (Iterator<HashField> it = hash.iterator(); it.hasNext(); ) {
            iterated.add(string(it.next().name()));
        }
        if (hash.isLarge()) {
            assertEquals(model.fields.keySet(), new HashSet<>(iterated), where);
        } else {
            assertEquals(model.order, iterated, where + ": listpack order");
        }
        if (!iterated.isEmpty()) {
            int i = r.nextInt(iterated.size());
            assertEquals(iterated.get(i), string(hash.at(i).name()), where);
        }
        Set<String> scanned = new HashSet<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = hash.scan(cursor, 1 + r.nextInt(7), f -> assertTrue(scanned.add(string(f.name())), "once"));
            assertTrue(++steps <= model.fields.size() + 1, where + ": scan ends");
        } while (cursor != 0);
        assertEquals(model.fields.keySet(), scanned, where + ": a full scan");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
