package dev.millrace.engine.keyspace;

/** The Redis data types, with the name TYPE replies and the code stored in a {@link Record}. */
public enum ValueType {
    STRING(0, "string"),
    LIST(1, "list"),
    SET(2, "set"),
    ZSET(3, "zset"),
    HASH(4, "hash"),
    STREAM(5, "stream");

    public final byte code;
    public final String typeName;

    ValueType(int code, String typeName) {
        this.code = (byte) code;
        this.typeName = typeName;
    }

    /** The types by code: {@code values()} would copy the array at every record decoded. */
    private static final ValueType[] BY_CODE = values();

    public static ValueType of(byte code) {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code].code == code) {
            return BY_CODE[code];
        }
        throw new IllegalStateException("unknown value type code " + code);
    }
}
