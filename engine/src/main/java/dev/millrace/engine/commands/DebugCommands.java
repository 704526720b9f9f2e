package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.rdb.Rdb;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;

import java.io.ByteArrayOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DEBUG: SLEEP, RELOAD, OBJECT, DIGEST, DIGEST-VALUE, SET-ACTIVE-EXPIRE, PROTOCOL and HELP, allowed as
 * {@code enable-debug-command} says ("no", "yes", or "local" for loopback clients). Execution thread only.
 */
public final class DebugCommands implements CommandFamily {
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern LEADING_INTEGER = Pattern.compile("^\\s*[+-]?\\d+");

    private final Engine engine;

    public DebugCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("debug", this::debug);
    }

    private void debug(Call call) {
        if (!allowed(call)) {
            call.reply().error(Errors.DEBUG_DISABLED);
            return;
        }
        int argc = call.argc();
        if (call.argIs(1, "HELP") && argc == 2) {
            help(call);
        } else if (call.argIs(1, "SLEEP") && argc == 3) {
            sleep(call);
        } else if (call.argIs(1, "RELOAD")) {
            reload(call);
        } else if (call.argIs(1, "OBJECT") && argc == 3) {
            object(call);
        } else if (call.argIs(1, "DIGEST") && argc == 2) {
            byte[] digest = new DatasetDigest().dataset(call.keyspace().store(), call.keyspace().databases());
            call.reply().simple(DatasetDigest.hex(digest));
        } else if (call.argIs(1, "DIGEST-VALUE")) {
            DatasetDigest digest = new DatasetDigest();
            call.reply().array(argc - 2);
            for (int i = 2; i < argc; i++) {
                // The stored record, even if logically expired: DEBUG looks at what is there.
                KeyStore store = call.keyspace().store();
                call.reply().simple(DatasetDigest.hex(digest.value(store, store.get(call.db(), call.arg(i)))));
            }
        } else if (call.argIs(1, "SET-ACTIVE-EXPIRE") && argc == 3) {
            engine.setActiveExpireEnabled(leadingLong(call.argString(2)) != 0);
            call.reply().simple("OK");
        } else if (call.argIs(1, "PROTOCOL") && argc == 3) {
            protocol(call);
        } else {
            call.reply().error(Errors.debugSubcommand(call.argString(1)));
        }
    }

    /** Redis's allowProtectedAction: "yes", or "local" and the client on a loopback address. */
    private boolean allowed(Call call) {
        String setting = engine.config().get("enable-debug-command");
        if (setting.equals("yes")) {
            return true;
        }
        return setting.equals("local") && isLoopback(call.session().connection().remoteAddress());
    }

    /** "127.0.0.1:5000" or "[::1]:5000" (or "::1:5000"): the host part, as Redis compares it. */
    static boolean isLoopback(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.equals("127.0.0.1") || host.equals("::1");
    }

    /** DEBUG SLEEP seconds: blocks the execution thread, which is the point. Parsed as C's strtod. */
    private void sleep(Call call) {
        Matcher m = LEADING_NUMBER.matcher(call.argString(2));
        double seconds = m.find() ? Double.parseDouble(m.group().strip()) : 0;
        long nanos = (long) (seconds * 1_000_000_000L);
        if (nanos > 0) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        call.reply().simple("OK");
    }

    /** C's atoi: the leading integer, 0 when there is none. */
    private static long leadingLong(String text) {
        Matcher m = LEADING_INTEGER.matcher(text);
        if (!m.find()) {
            return 0;
        }
        try {
            return Long.parseLong(m.group().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]. Redis saves the RDB and loads it back to prove the round
     * trip; Millrace's keyspace already is the persisted map, so there is nothing to load back:
     * RELOAD takes a snapshot (unless NOSAVE) and the dataset stays as it is. Unless NOFLUSH, what
     * Redis's emptying does to others happens too: WATCHes of existing keys break.
     */
    private void reload(Call call) {
        boolean save = true;
        boolean flush = true;
        for (int i = 2; i < call.argc(); i++) {
            if (call.argIs(i, "NOSAVE")) {
                save = false;
            } else if (call.argIs(i, "NOFLUSH")) {
                flush = false;
            } else if (!call.argIs(i, "MERGE")) {
                call.reply().error(Errors.DEBUG_RELOAD_OPTIONS);
                return;
            }
        }
        if (save) {
            try {
                engine.save();
            } catch (Exception e) {
                call.reply().error(Errors.SAVE_FAILED);
                return;
            }
        }
        if (flush) {
            call.keyspace().signalReloaded();
        }
        call.reply().simple("OK");
    }

    /**
     * DEBUG OBJECT key: Redis's line. There is no object address (0x0) nor shared objects (refcount 1);
     * serializedlength is a string's RDB length as Redis computes it (LZF included).
     */
    private void object(Call call) {
        byte[] encoded = call.keyspace().lookupReadNoTouch(call.db(), call.arg(2), call.now());
        if (encoded == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        Record record = Record.decode(encoded);
        long idle = AccessClock.idleSeconds(encoded, call.now());
        call.reply().simple("Value at:0x0 refcount:1 encoding:" + ObjectCommands.encodingOf(encoded)
                + " serializedlength:" + serializedLength(record)
                + " lru:" + (record.accessClock() & ((1 << 24) - 1))
                + " lru_seconds_idle:" + idle);
    }

    /** A string's RDB encoding as Redis writes it (integer, LZF or plain); other types: a plain string of the record. */
    private static long serializedLength(Record record) {
        byte[] v = record.payload();
        if (record.type() == ValueType.STRING) {
            ByteArrayOutputStream rdb = new ByteArrayOutputStream();
            Rdb.writeString(rdb, v);
            return rdb.size();
        }
        int prefix = v.length < 64 ? 1 : v.length < 16384 ? 2 : v.length <= 0xffffffffL ? 5 : 9;
        return prefix + v.length;
    }

    /**
     * DEBUG PROTOCOL type: a sample of each reply type. "attrib" sends Redis's attribute (RESP3 only)
     * and the reply that follows it.
     */
    private void protocol(Call call) {
        ReplyWriter out = call.reply();
        String type = call.argString(2).toLowerCase(java.util.Locale.ROOT);
        switch (type) {
            case "string" -> out.bulk("Hello World");
            case "integer" -> out.integer(12345);
            case "double" -> out.doubleValue(3.141);
            case "bignum" -> out.bigNumber("1234567999999999999999999999999999999");
            case "null" -> out.nullBulk();
            case "array" -> {
                out.array(3);
                for (int j = 0; j < 3; j++) {
                    out.integer(j);
                }
            }
            case "set" -> {
                out.set(3);
                for (int j = 0; j < 3; j++) {
                    out.integer(j);
                }
            }
            case "map" -> {
                out.map(3);
                for (int j = 0; j < 3; j++) {
                    out.integer(j);
                    out.bool(j == 1);
                }
            }
            case "attrib" -> {
                if (out.protocol() == 3) {
                    out.attribute(1);
                    out.bulk("key-popularity");
                    out.array(2);
                    out.bulk("key:123");
                    out.integer(90);
                }
                // attributes are not replies: a well formed reply follows (in RESP2, alone)
                out.bulk("Some real reply following the attribute");
            }
            case "push" -> {
                if (call.session().protocol() < 3) {
                    out.error(Errors.RESP2_NOT_SUPPORTED);
                    return;
                }
                out.push(2);
                out.bulk("server-cpu-usage");
                out.integer(42);
                // A push is out of band: a normal reply follows so a waiting client gets its answer.
                out.bulk("Some real reply following the push reply");
            }
            case "true" -> out.bool(true);
            case "false" -> out.bool(false);
            case "verbatim" -> out.verbatim("txt", "This is a verbatim\nstring");
            default -> out.error(Errors.DEBUG_PROTOCOL_TYPE);
        }
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "DIGEST",
                "    Output a hex signature representing the current DB content.",
                "DIGEST-VALUE <key> [<key> ...]",
                "    Output a hex signature of the values of all the specified keys.",
                "OBJECT <key>",
                "    Show low level info about `key` and associated value.",
                "PROTOCOL <type>",
                "    Reply with a test value of the specified type. <type> can be: string,",
                "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                "    true, false.",
                "RELOAD [option ...]",
                "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
                "    * MERGE: conflicting keys will be loaded from RDB.",
                "    * NOFLUSH: the existing database will not be removed before load, but",
                "      conflicting keys will generate an exception and kill the server.",
                "    * NOSAVE: the database will be loaded from an existing RDB file.",
                "    Examples:",
                "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
                "      the database.",
                "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
                "      existing RDB file.",
                "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
                "      file to the database.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.");
    }
}
