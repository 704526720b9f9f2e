package dev.millrace.engine.notify;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A keyspace event: its name as Redis publishes it and the class that must be on for it to be
 * published. The names and classes are Redis 7.0.15's (hash field expiry: Redis 7.4's).
 */
public enum KeyEvent {
    // g: generic
    DEL("del", EventClasses.GENERIC),
    EXPIRE("expire", EventClasses.GENERIC),
    PERSIST("persist", EventClasses.GENERIC),
    RENAME_FROM("rename_from", EventClasses.GENERIC),
    RENAME_TO("rename_to", EventClasses.GENERIC),
    MOVE_FROM("move_from", EventClasses.GENERIC),
    MOVE_TO("move_to", EventClasses.GENERIC),
    COPY_TO("copy_to", EventClasses.GENERIC),
    SORTSTORE("sortstore", EventClasses.GENERIC),
    // $: strings (HyperLogLogs and bitmaps are strings)
    SET("set", EventClasses.STRING),
    SETRANGE("setrange", EventClasses.STRING),
    INCRBY("incrby", EventClasses.STRING),
    INCRBYFLOAT("incrbyfloat", EventClasses.STRING),
    APPEND("append", EventClasses.STRING),
    SETBIT("setbit", EventClasses.STRING),
    PFADD("pfadd", EventClasses.STRING),
    // l: lists
    LPUSH("lpush", EventClasses.LIST),
    RPUSH("rpush", EventClasses.LIST),
    LPOP("lpop", EventClasses.LIST),
    RPOP("rpop", EventClasses.LIST),
    LINSERT("linsert", EventClasses.LIST),
    LSET("lset", EventClasses.LIST),
    LREM("lrem", EventClasses.LIST),
    LTRIM("ltrim", EventClasses.LIST),
    // s: sets
    SADD("sadd", EventClasses.SET),
    SREM("srem", EventClasses.SET),
    SPOP("spop", EventClasses.SET),
    SINTERSTORE("sinterstore", EventClasses.SET),
    SUNIONSTORE("sunionstore", EventClasses.SET),
    SDIFFSTORE("sdiffstore", EventClasses.SET),
    // h: hashes
    HSET("hset", EventClasses.HASH),
    HDEL("hdel", EventClasses.HASH),
    HINCRBY("hincrby", EventClasses.HASH),
    HINCRBYFLOAT("hincrbyfloat", EventClasses.HASH),
    HEXPIRE("hexpire", EventClasses.HASH),
    HPERSIST("hpersist", EventClasses.HASH),
    HEXPIRED("hexpired", EventClasses.HASH),
    // z: sorted sets (geo sets are sorted sets)
    ZADD("zadd", EventClasses.ZSET),
    ZINCR("zincr", EventClasses.ZSET),
    ZREM("zrem", EventClasses.ZSET),
    ZREMRANGEBYSCORE("zremrangebyscore", EventClasses.ZSET),
    ZREMRANGEBYRANK("zremrangebyrank", EventClasses.ZSET),
    ZREMRANGEBYLEX("zremrangebylex", EventClasses.ZSET),
    ZPOPMIN("zpopmin", EventClasses.ZSET),
    ZPOPMAX("zpopmax", EventClasses.ZSET),
    ZRANGESTORE("zrangestore", EventClasses.ZSET),
    ZUNIONSTORE("zunionstore", EventClasses.ZSET),
    ZINTERSTORE("zinterstore", EventClasses.ZSET),
    ZDIFFSTORE("zdiffstore", EventClasses.ZSET),
    GEOSEARCHSTORE("geosearchstore", EventClasses.ZSET),
    GEORADIUSSTORE("georadiusstore", EventClasses.ZSET),
    // t: streams
    XADD("xadd", EventClasses.STREAM),
    XTRIM("xtrim", EventClasses.STREAM),
    XDEL("xdel", EventClasses.STREAM),
    XSETID("xsetid", EventClasses.STREAM),
    XGROUP_CREATE("xgroup-create", EventClasses.STREAM),
    XGROUP_SETID("xgroup-setid", EventClasses.STREAM),
    XGROUP_DESTROY("xgroup-destroy", EventClasses.STREAM),
    XGROUP_CREATECONSUMER("xgroup-createconsumer", EventClasses.STREAM),
    XGROUP_DELCONSUMER("xgroup-delconsumer", EventClasses.STREAM),
    // the classes of their own
    EXPIRED("expired", EventClasses.EXPIRED),
    EVICTED("evicted", EventClasses.EVICTED),
    NEW("new", EventClasses.NEW),
    KEYMISS("keymiss", EventClasses.KEY_MISS);

    private static final Map<String, KeyEvent> BY_NAME = new HashMap<>();

    static {
        for (KeyEvent event : values()) {
            BY_NAME.put(event.eventName, event);
        }
    }

    private final String eventName;
    private final int eventClass;
    private final byte[] bytes;

    KeyEvent(String eventName, int eventClass) {
        this.eventName = eventName;
        this.eventClass = eventClass;
        this.bytes = eventName.getBytes(StandardCharsets.US_ASCII);
    }

    /** The name Redis publishes ("rename_from", "xgroup-create", ...). */
    public String eventName() { return eventName; }

    /** The {@link EventClasses} flag that publishes it. */
    public int eventClass() { return eventClass; }

    byte[] bytes() { return bytes; }

    /** The event with Redis's name {@code name}, or null. */
    public static KeyEvent named(String name) {
        return BY_NAME.get(name);
    }
}
