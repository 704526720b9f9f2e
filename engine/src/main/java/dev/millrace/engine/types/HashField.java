package dev.millrace.engine.types;

/**
 * One field of a hash as a {@link HashValue} hands it out: its name, its value and its own expiry
 * (Redis 7.4's hash-field TTL). The arrays are the caller's to read; nobody changes them.
 *
 * @param expireAt absolute unix time in milliseconds after which the field is gone, or {@link #NO_EXPIRY}
 */
public record HashField(byte[] name, byte[] value, long expireAt) {
    /** The expiry of a field that has none. */
    public static final long NO_EXPIRY = -1;

    public boolean hasExpiry() {
        return expireAt != NO_EXPIRY;
    }

    /** Whether the field is gone at {@code nowMillis}: as for keys, alive at its expiry, gone strictly after. */
    public boolean expiredAt(long nowMillis) {
        return expireAt != NO_EXPIRY && expireAt < nowMillis;
    }

    public HashField withValue(byte[] newValue) {
        return new HashField(name, newValue, expireAt);
    }

    public HashField withExpireAt(long newExpireAt) {
        return new HashField(name, value, newExpireAt);
    }
}
