package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.pubsub.PubSub;
import dev.millrace.engine.pubsub.PubSub.Kind;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;

import java.util.List;

/**
 * The pub/sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE,
 * PUBLISH, SPUBLISH and PUBSUB's introspection, over {@link PubSub}. Subscription commands reply one
 * confirmation frame per name; a bare (P|S)UNSUBSCRIBE one per subscription it drops, or a single one
 * with a null name when there was none. PUBLISH changes no key and is not logged. Execution thread
 * only.
 */
public final class PubSubCommands implements CommandFamily {
    private final Engine engine;

    public PubSubCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("subscribe", call -> subscribe(call, Kind.CHANNEL));
        bind.bind("psubscribe", call -> subscribe(call, Kind.PATTERN));
        bind.bind("ssubscribe", call -> subscribe(call, Kind.SHARD_CHANNEL));
        bind.bind("unsubscribe", call -> unsubscribe(call, Kind.CHANNEL));
        bind.bind("punsubscribe", call -> unsubscribe(call, Kind.PATTERN));
        bind.bind("sunsubscribe", call -> unsubscribe(call, Kind.SHARD_CHANNEL));
        bind.bind("publish", call -> call.reply().integer(pubsub().publish(call.arg(1), call.arg(2))));
        bind.bind("spublish", call -> call.reply().integer(pubsub().publishShard(call.arg(1), call.arg(2))));
        bind.bind("pubsub|channels", call -> channels(call, Kind.CHANNEL));
        bind.bind("pubsub|shardchannels", call -> channels(call, Kind.SHARD_CHANNEL));
        bind.bind("pubsub|numsub", call -> numsub(call, Kind.CHANNEL));
        bind.bind("pubsub|shardnumsub", call -> numsub(call, Kind.SHARD_CHANNEL));
        bind.bind("pubsub|numpat", call -> call.reply().integer(pubsub().activeCount(Kind.PATTERN)));
        bind.bind("pubsub|help", this::help);
    }

    private PubSub pubsub() {
        return engine.pubsub();
    }

    /**
     * Where confirmations go: the command's reply, except while CLIENT REPLY OFF or SKIP silences it,
     * when they go out anyway, as pushes (Redis's CLIENT_PUSHING).
     */
    private static ReplyWriter confirmations(Call call) {
        Session session = call.session();
        return session.replyMode() == Session.ReplyMode.ON ? call.reply() : session.pushWriter();
    }

    private void subscribe(Call call, Kind kind) {
        ReplyWriter out = confirmations(call);
        for (int i = 1; i < call.argc(); i++) {
            pubsub().subscribe(call.session(), kind, call.arg(i), out);
        }
    }

    private void unsubscribe(Call call, Kind kind) {
        ReplyWriter out = confirmations(call);
        if (call.argc() == 1) {
            pubsub().unsubscribeAll(call.session(), kind, out);
            return;
        }
        for (int i = 1; i < call.argc(); i++) {
            pubsub().unsubscribe(call.session(), kind, call.arg(i), out);
        }
    }

    /** PUBSUB CHANNELS|SHARDCHANNELS [pattern]: the table's arity admits more arguments, Redis does not. */
    private void channels(Call call, Kind kind) {
        if (call.argc() > 3) {
            call.reply().error(Errors.subcommandSyntax(call.argString(1), "pubsub"));
            return;
        }
        List<byte[]> names = pubsub().activeChannels(kind, call.argc() == 3 ? call.arg(2) : null);
        call.reply().array(names.size());
        names.forEach(call.reply()::bulk);
    }

    private void numsub(Call call, Kind kind) {
        call.reply().array(2 * (call.argc() - 2));
        for (int i = 2; i < call.argc(); i++) {
            call.reply().bulk(call.arg(i));
            call.reply().integer(pubsub().subscriberCount(kind, call.arg(i)));
        }
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level channel(s)");
    }
}
