package dev.millrace.engine.keyspace;

import dev.millrace.engine.types.HashField;
import dev.millrace.engine.types.HashValue;

/**
 * A key's stored record: its type, encoding hints, expiry and access clock, and the payload whose
 * layout the type defines. The byte layout (see docs/storage-format.md) is:
 *
 * <pre>
 *   byte   format version (1)
 *   byte   type            ({@link ValueType#code})
 *   byte   flags           bit 0: has expiry; bit 1: string is "raw" (was modified in place);
 *                          bit 2: string is text, never integer-encoded (INCRBYFLOAT's result);
 *                          bit 3: a collection whose payload starts with its {@link ObjectPages}
 *   int    access clock    seconds, for OBJECT IDLETIME and LRU eviction
 *   long   expire-at       unix millis; present only when flag bit 0 is set
 *   ...    payload
 * </pre>
 *
 * @param raw            a string Redis holds "raw" encoded because it was modified in place
 * @param text           a string Redis created without trying the integer encoding (INCRBYFLOAT's
 *                       result): OBJECT ENCODING reports embstr or raw for it, never int
 * @param expireAtMillis absolute expiry in unix milliseconds, or {@link #NO_EXPIRY}
 * @param paged          a large collection: the payload starts with the {@link ObjectPages} header of
 *                       the pages that hold its elements
 */
public record Record(ValueType type, boolean raw, boolean text, int accessClock, long expireAtMillis, byte[] payload,
                     boolean paged) {
    public static final long NO_EXPIRY = -1;
    static final byte FORMAT_VERSION = 1;
    private static final int FLAG_EXPIRY = 1;
    private static final int FLAG_RAW = 2;
    private static final int FLAG_TEXT = 4;
    private static final int FLAG_PAGED = 8;
    private static final int HEADER = 7;
    /** Where the access clock sits in an encoded record: stores can patch it in place. */
    public static final int ACCESS_CLOCK_OFFSET = 3;

    /** A record whose string, if it is one, is encoded as Redis's tryObjectEncoding leaves it. */
    public Record(ValueType type, boolean raw, int accessClock, long expireAtMillis, byte[] payload) {
        this(type, raw, false, accessClock, expireAtMillis, payload, false);
    }

    public Record(ValueType type, boolean raw, boolean text, int accessClock, long expireAtMillis, byte[] payload) {
        this(type, raw, text, accessClock, expireAtMillis, payload, false);
    }

    /** A collection's record: small ones hold their elements in the payload, paged ones a header. */
    public static Record collection(ValueType type, int accessClock, long expireAtMillis, byte[] payload, boolean paged) {
        return new Record(type, false, false, accessClock, expireAtMillis, payload, paged);
    }

    public boolean hasExpiry() {
        return expireAtMillis != NO_EXPIRY;
    }

    public Record withExpiry(long expireAt) {
        return new Record(type, raw, text, accessClock, expireAt, payload, paged);
    }

    public Record withPayload(byte[] newPayload, boolean newRaw) {
        return new Record(type, newRaw, false, accessClock, expireAtMillis, newPayload, paged);
    }

    /** The same collection with a new payload, small ({@code paged} false) or paged. */
    public Record withCollection(byte[] newPayload, boolean newPaged) {
        return new Record(type, false, false, accessClock, expireAtMillis, newPayload, newPaged);
    }

    public Record withAccessClock(int clock) {
        return new Record(type, raw, text, clock, expireAtMillis, payload, paged);
    }

    public byte[] encode() {
        byte[] out = encodeHeader(raw, text, paged, payload.length);
        System.arraycopy(payload, 0, out, payloadOffset(out), payload.length);
        return out;
    }

    /**
     * This record with a paged payload of {@code payloadLength} bytes, left zero for the caller to
     * write at {@link #payloadOffset}: one array per save of a collection whose payload has a fixed
     * size (a stream's, at every XADD), where {@code withCollection(payload, true).encode()} makes two.
     */
    public byte[] encodeCollection(int payloadLength) {
        return encodeHeader(false, false, true, payloadLength);
    }

    private byte[] encodeHeader(boolean raw, boolean text, boolean paged, int payloadLength) {
        boolean expiry = hasExpiry();
        byte[] out = new byte[HEADER + (expiry ? 8 : 0) + payloadLength];
        out[0] = FORMAT_VERSION;
        out[1] = type.code;
        out[2] = (byte) ((expiry ? FLAG_EXPIRY : 0) | (raw ? FLAG_RAW : 0) | (text ? FLAG_TEXT : 0)
                | (paged ? FLAG_PAGED : 0));
        putInt(out, ACCESS_CLOCK_OFFSET, accessClock);
        if (expiry) {
            putLong(out, HEADER, expireAtMillis);
        }
        return out;
    }

    public static Record decode(byte[] bytes) {
        if (bytes[0] != FORMAT_VERSION) {
            throw new IllegalStateException("unknown record format version " + bytes[0]);
        }
        int flags = bytes[2];
        boolean expiry = (flags & FLAG_EXPIRY) != 0;
        int pos = HEADER;
        long expireAt = NO_EXPIRY;
        if (expiry) {
            expireAt = getLong(bytes, pos);
            pos += 8;
        }
        byte[] payload = java.util.Arrays.copyOfRange(bytes, pos, bytes.length);
        return new Record(ValueType.of(bytes[1]), (flags & FLAG_RAW) != 0, (flags & FLAG_TEXT) != 0,
                getInt(bytes, ACCESS_CLOCK_OFFSET), expireAt, payload, (flags & FLAG_PAGED) != 0);
    }

    /**
     * A copy of an encoded record with expire-at {@code expireAt} ({@link #NO_EXPIRY}: none) and
     * everything else unchanged: EXPIRE and PERSIST rewrite a record in one copy, without decoding it.
     */
    public static byte[] encodedWithExpiry(byte[] bytes, long expireAt) {
        int payloadFrom = payloadOffset(bytes);
        boolean expiry = expireAt != NO_EXPIRY;
        int payloadTo = HEADER + (expiry ? 8 : 0);
        byte[] out = new byte[payloadTo + bytes.length - payloadFrom];
        System.arraycopy(bytes, 0, out, 0, HEADER);
        out[2] = (byte) (expiry ? bytes[2] | FLAG_EXPIRY : bytes[2] & ~FLAG_EXPIRY);
        if (expiry) {
            putLong(out, HEADER, expireAt);
        }
        System.arraycopy(bytes, payloadFrom, out, payloadTo, bytes.length - payloadFrom);
        return out;
    }

    /** Whether an encoded record is a paged collection (its payload starts with an ObjectPages header). */
    public static boolean isPaged(byte[] bytes) {
        return (bytes[2] & FLAG_PAGED) != 0;
    }

    /** Reads only the expiry of an encoded record, without copying its payload. */
    public static long expireAtOf(byte[] bytes) {
        return (bytes[2] & FLAG_EXPIRY) != 0 ? getLong(bytes, HEADER) : NO_EXPIRY;
    }

    /** Where the payload starts in an encoded record: lets hot paths reply from it without a copy. */
    public static int payloadOffset(byte[] bytes) {
        return HEADER + ((bytes[2] & FLAG_EXPIRY) != 0 ? 8 : 0);
    }

    /**
     * Whether an encoded record's expiry has passed at {@code nowMillis}. As Redis: a key expires
     * once the time is strictly past its expire-at, so at exactly expire-at it is still alive.
     */
    public static boolean isExpiredAt(byte[] bytes, long nowMillis) {
        long expireAt = expireAtOf(bytes);
        return expireAt != NO_EXPIRY && nowMillis > expireAt;
    }

    /**
     * The soonest field expiry of an encoded record that is a hash (Redis 7.4's field TTLs), or
     * {@link HashField#NO_EXPIRY} for a hash without any and for every other type; O(1).
     */
    public static long nextFieldExpiryOf(byte[] bytes) {
        if (typeOf(bytes) != ValueType.HASH) {
            return HashField.NO_EXPIRY;
        }
        return HashValue.nextExpiryOf(bytes, payloadOffset(bytes) + (isPaged(bytes) ? ObjectPages.SIZE : 0));
    }

    /** Whether an encoded record expires, or holds hash fields that do: what active expiry looks for. O(1). */
    public static boolean hasExpiries(byte[] bytes) {
        return expireAtOf(bytes) != NO_EXPIRY || nextFieldExpiryOf(bytes) != HashField.NO_EXPIRY;
    }

    /** Reads only the type of an encoded record. */
    public static ValueType typeOf(byte[] bytes) {
        return ValueType.of(bytes[1]);
    }

    /** Reads only the access clock of an encoded record. */
    public static int accessClockOf(byte[] bytes) {
        return getInt(bytes, ACCESS_CLOCK_OFFSET);
    }

    /** Sets the access clock of an encoded record in place (the bytes must be the caller's own copy). */
    public static void setAccessClock(byte[] bytes, int clock) {
        putInt(bytes, ACCESS_CLOCK_OFFSET, clock);
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 3; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /** Big-endian, as every fixed-width integer in a record (ObjectPages uses them too). */
    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
