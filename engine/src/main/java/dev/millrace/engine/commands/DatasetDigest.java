package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.DoubleFormat;
import dev.millrace.engine.types.HashField;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;

/**
 * Redis's dataset digest (debug.c): SHA1-based, independent of key order, so equal datasets give
 * equal digests (DEBUG DIGEST and DIGEST-VALUE). Reads records as stored, without lazy expiry, as
 * Redis does.
 *
 * <p>Strings, lists, sets, sorted sets and hashes are digested exactly as Redis digests them, so a dataset of them
 * gives Redis's digest (a hash field with an expiry mixes in Redis 7.4's "!!hexpire!!" mark). The
 * other types are digested from their encoded payload until their families expose their elements:
 * still equal for equal datasets within Millrace, but not Redis's value.
 *
 * <p>Not thread-safe (holds a SHA-1 instance); cheap to create.
 */
final class DatasetDigest {
    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIELD_EXPIRE_MARK = "!!hexpire!!".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha1;

    DatasetDigest() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    /** DEBUG DIGEST: every database in order; 20 zero bytes when all are empty. O(N) in keys. */
    byte[] dataset(KeyStore store, int databases) {
        byte[] total = new byte[20];
        for (int db = 0; db < databases; db++) {
            if (store.size(db) == 0) {
                continue;
            }
            // The database number is mixed in so the same keys in another database digest differently.
            mix(total, new byte[]{(byte) (db >>> 24), (byte) (db >>> 16), (byte) (db >>> 8), (byte) db});
            long cursor = 0;
            do {
                cursor = store.scan(db, cursor, 1000, (key, record) -> {
                    byte[] keyDigest = new byte[20];
                    mix(keyDigest, key);
                    xorValue(keyDigest, store, record);
                    // As Redis: the key's digest is hashed again before it is folded in.
                    xor(total, keyDigest);
                });
            } while (cursor != 0);
        }
        return total;
    }

    /** DEBUG DIGEST-VALUE for one key: 20 zero bytes for a missing key. */
    byte[] value(KeyStore store, byte[] record) {
        byte[] digest = new byte[20];
        if (record != null) {
            xorValue(digest, store, record);
        }
        return digest;
    }

    private void xorValue(byte[] digest, KeyStore store, byte[] encoded) {
        Record record = Record.decode(encoded);
        int redisType = record.type() == ValueType.STREAM ? 6 : record.type().code;
        mix(digest, new byte[]{0, 0, 0, (byte) redisType});
        if (record.type() == ValueType.SET) {
            // Members in any order: each is xored in, as Redis's xorObjectDigest does for sets.
            StoredSet.members(store, record).forEachRemaining(member -> xor(digest, member));
        } else if (record.type() == ValueType.ZSET) {
            // Each element digested as its member then its score as %.17g, xored in: order-free.
            StoredZSet.elements(store, record).forEachRemaining(e -> {
                byte[] element = new byte[20];
                mix(element, e.member());
                mix(element, DoubleFormat.format(e.score()).getBytes(StandardCharsets.US_ASCII));
                xor(digest, element);
            });
        } else if (record.type() == ValueType.HASH) {
            xorHash(store, digest, encoded);
        } else if (record.type() == ValueType.LIST) {
            // Redis mixes in each element, head to tail, whatever the list's encoding.
            for (Iterator<byte[]> elements = StoredList.elements(store, encoded); elements.hasNext(); ) {
                mix(digest, elements.next());
            }
        } else if (record.type() == ValueType.STREAM) {
            // Redis digests its listpacks' raw bytes, which Millrace does not have: entries and the
            // last ID instead, so equal streams digest equal here (not equal to Redis's digest).
            Stream stream = Stream.decode(store, record.payload(), false);
            for (Iterator<StreamEntry> entries = stream.range(StreamId.MIN, StreamId.MAX); entries.hasNext(); ) {
                StreamEntry entry = entries.next();
                mix(digest, entry.id().toBytes());
                for (byte[] part : entry.fieldsAndValues()) {
                    mix(digest, part);
                }
            }
            mix(digest, stream.lastId().toBytes());
        } else {
            // A string's payload is its value: Redis's mixStringObjectDigest. Other types: see the class comment.
            mix(digest, record.payload());
        }
        if (record.hasExpiry()) {
            xor(digest, EXPIRE_MARK);
        }
    }

    /** Each field's own digest (name mixed, then value) xored in: independent of the hash's order. */
    private void xorHash(KeyStore store, byte[] digest, byte[] encoded) {
        for (Iterator<HashField> it = HashKey.decode(store, encoded).iterator(); it.hasNext(); ) {
            HashField field = it.next();
            byte[] fieldDigest = new byte[20];
            mix(fieldDigest, field.name());
            mix(fieldDigest, field.value());
            if (field.hasExpiry()) {
                xor(fieldDigest, FIELD_EXPIRE_MARK);
            }
            xor(digest, fieldDigest);
        }
    }

    /** Redis's xorDigest: digest ^= SHA1(data). */
    private void xor(byte[] digest, byte[] data) {
        byte[] hash = sha1.digest(data);
        for (int i = 0; i < 20; i++) {
            digest[i] ^= hash[i];
        }
    }

    /** Redis's mixDigest: digest = SHA1(digest ^ SHA1(data)); order-sensitive. */
    private void mix(byte[] digest, byte[] data) {
        xor(digest, data);
        byte[] hash = sha1.digest(digest);
        System.arraycopy(hash, 0, digest, 0, 20);
    }

    static String hex(byte[] digest) {
        StringBuilder out = new StringBuilder(40);
        for (byte b : digest) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
