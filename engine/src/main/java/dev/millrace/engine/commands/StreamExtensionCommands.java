package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.DeadLetter;
import dev.millrace.engine.stream.Retention;
import dev.millrace.engine.util.Numbers;

/**
 * Millrace's own stream commands (extensions Redis does not have), in the MILLRACE. namespace.
 *
 * <p>MILLRACE.XRETENTION, a stream's retention policy ({@link Retention}, enforced by
 * {@link StreamRetention}):
 *
 * <pre>
 *   MILLRACE.XRETENTION GET key          the policy in force: max-age-ms, max-bytes, undelivered, source
 *   MILLRACE.XRETENTION SET key [MAXAGE ms] [MAXBYTES bytes] [UNDELIVERED KEEP|DROP]
 *                                        the stream's own policy (an omitted limit is 0: none)
 *   MILLRACE.XRETENTION RESET key        back to the server's defaults (stream-retention-* settings)
 * </pre>
 *
 *
 * <p>MILLRACE.XDEADLETTER, a consumer group's dead letters ({@link DeadLetter}, applied by XCLAIM and
 * XAUTOCLAIM):
 *
 * <pre>
 *   MILLRACE.XDEADLETTER GET key group     max-deliveries and stream, or a null reply when none is set
 *   MILLRACE.XDEADLETTER SET key group MAXDELIVERIES n STREAM deadletterkey
 *   MILLRACE.XDEADLETTER RESET key group   no dead letters: entries are redelivered however often
 * </pre>
 *
 * SET and RESET log themselves; the policies live in the stream's record. Execution thread only.
 */
public final class StreamExtensionCommands implements CommandFamily {

    @Override
    public void register(Bindings bind) {
        bind.bind("millrace.xretention|get", this::get);
        bind.bind("millrace.xretention|set", this::set);
        bind.bind("millrace.xretention|reset", this::reset);
        bind.bind("millrace.xdeadletter|get", this::getDeadLetter);
        bind.bind("millrace.xdeadletter|set", this::setDeadLetter);
        bind.bind("millrace.xdeadletter|reset", this::resetDeadLetter);
        bind.bind("millrace.xdeadletter|help", call -> HelpReply.reply(call,
                "GET <key> <group>",
                "    Show the dead-letter policy of the consumer group <group> of the stream <key>.",
                "SET <key> <group> MAXDELIVERIES <count> STREAM <deadletterkey>",
                "    An entry delivered <count> times and still pending goes, when XCLAIM or XAUTOCLAIM",
                "    next reach for it, to the stream <deadletterkey> and is acknowledged in <group>.",
                "RESET <key> <group>",
                "    Remove the policy: entries are redelivered however often."));
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
        return StoredStream.existing(call, 2, true);
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

    /** The group named by argument 3 of the stream of argument 2, or null after an error reply. */
    private static ConsumerGroup group(Call call, StoredStream stored) {
        ConsumerGroup group = stored.stream().groups().get(call.arg(3));
        if (group == null) {
            call.reply().error(Errors.noGroupOfKey(call.argString(3), call.argString(2)));
        }
        return group;
    }

    private void getDeadLetter(Call call) {
        StoredStream stored = open(call);
        ConsumerGroup group = stored == null ? null : group(call, stored);
        if (group == null) {
            return;
        }
        DeadLetter policy = group.deadLetter();
        if (policy == null) {
            call.reply().nullBulk();
            return;
        }
        call.reply().map(2);
        call.reply().bulk("max-deliveries");
        call.reply().integer(policy.maxDeliveries());
        call.reply().bulk("stream");
        call.reply().bulk(policy.stream());
    }

    private void setDeadLetter(Call call) {
        if (call.argc() != 8 || !call.argIs(4, "maxdeliveries") || !call.argIs(6, "stream")) {
            call.syntaxError();
            return;
        }
        Long max = Numbers.parseLong(call.arg(5));
        if (max == null || max < 1) {
            call.reply().error(Errors.MUST_BE_POSITIVE);
            return;
        }
        if (java.util.Arrays.equals(call.arg(7), call.arg(2))) {
            call.reply().error(Errors.DEAD_LETTER_SAME_STREAM);
            return;
        }
        StoredStream stored = open(call);
        ConsumerGroup group = stored == null ? null : group(call, stored);
        if (group == null) {
            return;
        }
        group.setDeadLetter(new DeadLetter(max, call.arg(7).clone()));
        stored.save(call, call.arg(2));
        call.reply().simple("OK");
    }

    private void resetDeadLetter(Call call) {
        StoredStream stored = open(call);
        ConsumerGroup group = stored == null ? null : group(call, stored);
        if (group == null) {
            return;
        }
        group.setDeadLetter(null);
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
