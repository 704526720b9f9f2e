package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Retention;
import dev.millrace.engine.util.Numbers;

/**
 * MILLRACE.XRETENTION, Millrace's command for a stream's retention policy ({@link Retention},
 * enforced by {@link StreamRetention}):
 *
 * <pre>
 *   MILLRACE.XRETENTION GET key          the policy in force: max-age-ms, max-bytes, undelivered, source
 *   MILLRACE.XRETENTION SET key [MAXAGE ms] [MAXBYTES bytes] [UNDELIVERED KEEP|DROP]
 *                                        the stream's own policy (an omitted limit is 0: none)
 *   MILLRACE.XRETENTION RESET key        back to the server's defaults (stream-retention-* settings)
 * </pre>
 *
 * SET and RESET log themselves; the policy lives in the stream's record. Execution thread only.
 */
public final class StreamRetentionCommands implements CommandFamily {

    @Override
    public void register(Bindings bind) {
        bind.bind("millrace.xretention|get", this::get);
        bind.bind("millrace.xretention|set", this::set);
        bind.bind("millrace.xretention|reset", this::reset);
        bind.bind("millrace.xretention|help", call -> HelpReply.reply(call,
                "GET <key>",
                "    Show the retention policy in force for the stream <key>.",
                "SET <key> [MAXAGE <milliseconds>] [MAXBYTES <bytes>] [UNDELIVERED KEEP|DROP]",
                "    Give the stream its own policy: entries older than MAXAGE, or beyond the newest",
                "    MAXBYTES of log, are trimmed in the background; with UNDELIVERED KEEP (the default)",
                "    never an entry some consumer group has not been delivered yet.",
                "RESET <key>",
                "    Go back to the server's defaults (stream-retention-max-age-ms, stream-retention-max-bytes,",
                "    stream-retention-undelivered)."));
    }

    /** The stream under argument 2 for a subcommand, or null after an error reply. */
    private static StoredStream open(Call call) {
        byte[] record = call.keyspace().lookup(call.db(), call.arg(2), call.now());
        if (record == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return null;
        }
        if (Record.typeOf(record) != ValueType.STREAM) {
            call.wrongType();
            return null;
        }
        return StoredStream.load(call, record);
    }

    private void get(Call call) {
        StoredStream stored = open(call);
        if (stored == null) {
            return;
        }
        Retention policy = StreamRetention.effective(stored.stream(), call.engine().config());
        ReplyWriter reply = call.reply();
        reply.map(4);
        reply.bulk("max-age-ms");
        reply.integer(policy.maxAgeMillis());
        reply.bulk("max-bytes");
        reply.integer(policy.maxBytes());
        reply.bulk("undelivered");
        reply.bulk(policy.dropUndelivered() ? "drop" : "keep");
        reply.bulk("source");
        reply.bulk(stored.stream().retention() != null ? "stream" : "server");
    }

    private void set(Call call) {
        long maxAge = 0;
        long maxBytes = 0;
        boolean drop = false;
        for (int i = 3; i < call.argc(); i += 2) {
            if (i + 1 >= call.argc()) {
                call.syntaxError();
                return;
            }
            if (call.argIs(i, "maxage") || call.argIs(i, "maxbytes")) {
                Long n = Numbers.parseLong(call.arg(i + 1));
                if (n == null || n < 0) {
                    call.reply().error(Errors.MUST_BE_POSITIVE);
                    return;
                }
                if (call.argIs(i, "maxage")) {
                    maxAge = n;
                } else {
                    maxBytes = n;
                }
            } else if (call.argIs(i, "undelivered") && (call.argIs(i + 1, "keep") || call.argIs(i + 1, "drop"))) {
                drop = call.argIs(i + 1, "drop");
            } else {
                call.syntaxError();
                return;
            }
        }
        StoredStream stored = open(call);
        if (stored == null) {
            return;
        }
        stored.stream().setRetention(new Retention(maxAge, maxBytes, drop));
        stored.save(call, call.arg(2));
        call.reply().simple("OK");
    }

    private void reset(Call call) {
        StoredStream stored = open(call);
        if (stored == null) {
            return;
        }
        stored.stream().setRetention(null);
        stored.save(call, call.arg(2));
        call.reply().simple("OK");
    }
}
