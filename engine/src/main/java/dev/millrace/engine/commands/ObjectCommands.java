package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;

import java.util.List;
import java.util.function.Consumer;

/**
 * OBJECT ENCODING, IDLETIME, FREQ, REFCOUNT and HELP: what Redis would report about a key's object,
 * derived from its {@link Record}. Lookups count a keyspace hit or miss but leave the access clock,
 * as Redis's objectCommandLookup does. Registered through {@link KeyCommands}. Execution thread only.
 */
final class ObjectCommands implements CommandFamily {
    /** Redis keeps strings of up to 44 bytes in one allocation with their header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    private static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis shares the integer objects 0..9999 (OBJ_SHARED_INTEGERS) ... */
    private static final long SHARED_INTEGERS = 10_000;
    /** ... and reports their reference count as INT_MAX (OBJ_SHARED_REFCOUNT). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    private static final List<String> HELP = List.of(
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.");

    @Override
    public void register(Bindings bind) {
        bind.bind("object|encoding", call -> withRecord(call, record -> call.reply().bulk(encodingOf(record))));
        bind.bind("object|idletime", call -> withRecord(call,
                record -> call.reply().integer(AccessClock.idleSeconds(record, call.now()))));
        // Millrace tracks no access frequency: there is no LFU maxmemory policy to select.
        bind.bind("object|freq", call -> withRecord(call, record -> call.reply().error(Errors.LFU_NOT_SELECTED)));
        bind.bind("object|refcount", call -> withRecord(call, record -> call.reply().integer(refCountOf(record))));
        bind.bind("object|help", this::help);
    }

    /** Looks up the key of OBJECT's argument 2; replies null when it does not exist. */
    private static void withRecord(Call call, Consumer<byte[]> reply) {
        byte[] record = call.keyspace().lookupToInspect(call.db(), call.arg(2), call.now());
        if (record == null) {
            call.reply().nullBulk();
        } else {
            reply.accept(record);
        }
    }

    /** OBJECT ENCODING's answer for a record. */
    static String encodingOf(byte[] encoded) {
        Record record = Record.decode(encoded);
        return switch (record.type()) {
            case STRING -> stringEncoding(record);
            case LIST -> "quicklist"; // Redis 7.0 keeps every list in a quicklist, however small
            case SET -> record.paged() ? "hashtable" : "intset";
            case HASH -> HashKey.encoding(encoded);
            case ZSET -> record.paged() ? "skiplist" : "listpack";
            case STREAM -> "stream";
            default -> throw new IllegalStateException("no OBJECT ENCODING rule for type " + record.type());
        };
    }

    /**
     * As Redis's tryObjectEncoding leaves a string: "int" when it is a 64-bit integer in canonical form
     * (unless created as text), "embstr" when short, "raw" when long or modified in place (APPEND,
     * SETRANGE, SETBIT ...).
     */
    private static String stringEncoding(Record record) {
        if (record.raw()) {
            return "raw";
        }
        if (!record.text() && Numbers.parseLong(record.payload()) != null) {
            return "int";
        }
        return record.payload().length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
    }

    /** 1, except for the shared integers 0..9999, which every key holding them references. */
    private static long refCountOf(byte[] encoded) {
        Record record = Record.decode(encoded);
        if (record.type() == ValueType.STRING && !record.raw() && !record.text()) {
            Long value = Numbers.parseLong(record.payload());
            if (value != null && value >= 0 && value < SHARED_INTEGERS) {
                return SHARED_REFCOUNT;
            }
        }
        return 1;
    }

    private void help(Call call) {
        call.reply().array(HELP.size());
        for (String line : HELP) {
            call.reply().simple(line);
        }
    }
}
