package dev.millrace.engine.pubsub;

import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Glob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Who listens to what, and the delivery of published messages: Redis 7.0's pubsub.c.
 *
 * <p>A client subscribes to channels (SUBSCRIBE, messages published with PUBLISH), glob patterns
 * over channel names (PSUBSCRIBE, matched as Redis's {@code stringmatchlen} by {@link Glob}) and
 * shard channels (SSUBSCRIBE, messages published with SPUBLISH, a namespace of their own that
 * patterns never see). A message is written to each receiver's {@link Session#pushWriter()} at once,
 * so it leaves with the batch of replies the server flushes next: first to the channel's subscribers
 * in the order they subscribed, then, for each pattern in the order it was first subscribed, to that
 * pattern's subscribers in the order they subscribed (Redis walks hash tables there, so its order
 * among patterns is arbitrary; ours is stable). Frames are push frames in RESP3 and arrays in RESP2.
 *
 * <p>Every subscription command confirms each channel with a frame that carries the client's count
 * of subscriptions afterwards: channels plus patterns for (P)(UN)SUBSCRIBE, shard channels for
 * S(UN)SUBSCRIBE, as Redis counts them. The counts are mirrored in the {@link Session}, which is in
 * pub/sub mode while any is above zero.
 *
 * <p>Costs: subscribing and unsubscribing O(1) per name; publishing O(S + P) for S subscribers of the
 * channel and P distinct patterns (each matched once). Execution thread only.
 */
public final class PubSub {

    /** The three kinds of subscription, with the words of their frames. */
    public enum Kind {
        CHANNEL("subscribe", "unsubscribe", "message"),
        PATTERN("psubscribe", "punsubscribe", "pmessage"),
        SHARD_CHANNEL("ssubscribe", "sunsubscribe", "smessage");

        private final byte[] subscribeWord;
        private final byte[] unsubscribeWord;
        private final byte[] messageWord;

        Kind(String subscribe, String unsubscribe, String message) {
            this.subscribeWord = subscribe.getBytes(StandardCharsets.US_ASCII);
            this.unsubscribeWord = unsubscribe.getBytes(StandardCharsets.US_ASCII);
            this.messageWord = message.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Per kind: each name's subscribers in the order they subscribed; names in first-subscribed order. */
    private final EnumMap<Kind, Map<Name, LinkedHashSet<Subscriber>>> byName = new EnumMap<>(Kind.class);
    private final Map<Long, Subscriber> bySession = new HashMap<>();

    public PubSub() {
        for (Kind kind : Kind.values()) {
            byName.put(kind, new LinkedHashMap<>());
        }
    }

    /**
     * Subscribes a client to a channel, pattern or shard channel (again: no change) and confirms it
     * through {@code reply}.
     */
    public void subscribe(Session session, Kind kind, byte[] name, ReplyWriter reply) {
        Subscriber subscriber = bySession.computeIfAbsent(session.id(), id -> new Subscriber(session));
        Name key = new Name(name);
        if (subscriber.names(kind).add(key)) {
            byName.get(kind).computeIfAbsent(key, k -> new LinkedHashSet<>()).add(subscriber);
            subscriber.countsChanged();
        }
        confirm(reply, kind.subscribeWord, name, subscriber.confirmedCount(kind));
    }

    /** Unsubscribes a client from one name (subscribed or not) and confirms it through {@code reply}. */
    public void unsubscribe(Session session, Kind kind, byte[] name, ReplyWriter reply) {
        Subscriber subscriber = bySession.get(session.id());
        if (subscriber != null) {
            remove(subscriber, kind, new Name(name));
        }
        confirm(reply, kind.unsubscribeWord, name, subscriber == null ? 0 : subscriber.confirmedCount(kind));
    }

    /**
     * Unsubscribes a client from every name of a kind, confirming each in the order subscribed; a
     * client with none gets one confirmation with a null name.
     */
    public void unsubscribeAll(Session session, Kind kind, ReplyWriter reply) {
        Subscriber subscriber = bySession.get(session.id());
        if (subscriber == null || subscriber.names(kind).isEmpty()) {
            confirm(reply, kind.unsubscribeWord, null, subscriber == null ? 0 : subscriber.confirmedCount(kind));
            return;
        }
        for (Name name : List.copyOf(subscriber.names(kind))) {
            remove(subscriber, kind, name);
            confirm(reply, kind.unsubscribeWord, name.bytes(), subscriber.confirmedCount(kind));
        }
    }

    /** Drops every subscription of a client without a word to it: it disconnected, or ran RESET. */
    public void forget(Session session) {
        Subscriber subscriber = bySession.get(session.id());
        if (subscriber == null) {
            return;
        }
        for (Kind kind : Kind.values()) {
            for (Name name : List.copyOf(subscriber.names(kind))) {
                remove(subscriber, kind, name);
            }
        }
    }

    private void remove(Subscriber subscriber, Kind kind, Name name) {
        if (!subscriber.names(kind).remove(name)) {
            return;
        }
        Map<Name, LinkedHashSet<Subscriber>> names = byName.get(kind);
        LinkedHashSet<Subscriber> subscribers = names.get(name);
        subscribers.remove(subscriber);
        if (subscribers.isEmpty()) {
            names.remove(name);
        }
        subscriber.countsChanged();
        if (!subscriber.session.subscribed()) {
            bySession.remove(subscriber.session.id());
        }
    }

    private static void confirm(ReplyWriter reply, byte[] word, byte[] name, int count) {
        reply.push(3);
        reply.bulk(word);
        if (name == null) {
            reply.nullBulk();
        } else {
            reply.bulk(name);
        }
        reply.integer(count);
    }

    /**
     * PUBLISH: delivers a message to the channel's subscribers, then to the subscribers of every
     * pattern the channel matches. This is the engine's API for publishing (keyspace notifications).
     *
     * @return how many deliveries were made (a client subscribed to the channel and to a matching
     *         pattern counts twice, as in Redis)
     */
    public int publish(byte[] channel, byte[] message) {
        int receivers = deliver(Kind.CHANNEL, channel, message);
        Map<Name, LinkedHashSet<Subscriber>> patterns = byName.get(Kind.PATTERN);
        if (patterns.isEmpty()) {
            return receivers;
        }
        for (Map.Entry<Name, LinkedHashSet<Subscriber>> entry : patterns.entrySet()) {
            byte[] pattern = entry.getKey().bytes();
            if (!Glob.matches(pattern, channel, false)) {
                continue;
            }
            for (Subscriber subscriber : entry.getValue()) {
                ReplyWriter out = subscriber.session.pushWriter();
                out.push(4);
                out.bulk(Kind.PATTERN.messageWord);
                out.bulk(pattern);
                out.bulk(channel);
                out.bulk(message);
                receivers++;
            }
        }
        return receivers;
    }

    /** SPUBLISH: delivers a message to a shard channel's subscribers (patterns do not see these). */
    public int publishShard(byte[] shardChannel, byte[] message) {
        return deliver(Kind.SHARD_CHANNEL, shardChannel, message);
    }

    private int deliver(Kind kind, byte[] channel, byte[] message) {
        LinkedHashSet<Subscriber> subscribers = byName.get(kind).get(new Name(channel));
        if (subscribers == null) {
            return 0;
        }
        for (Subscriber subscriber : subscribers) {
            sendMessage(subscriber.session.pushWriter(), kind.messageWord, channel, message);
        }
        return subscribers.size();
    }

    /**
     * Writes one "message" frame to one client, whatever it subscribed to: for callers that address a
     * client rather than a channel (client tracking's {@code __redis__:invalidate} redirection).
     */
    public void sendMessage(Session session, byte[] channel, byte[] message) {
        sendMessage(session.pushWriter(), Kind.CHANNEL.messageWord, channel, message);
    }

    private static void sendMessage(ReplyWriter out, byte[] word, byte[] channel, byte[] message) {
        out.push(3);
        out.bulk(word);
        out.bulk(channel);
        out.bulk(message);
    }

    /**
     * PUBSUB CHANNELS / SHARDCHANNELS: the names with at least one subscriber that match a glob pattern
     * (all when null), in the order they were first subscribed. O(N) for N names.
     */
    public List<byte[]> activeChannels(Kind kind, byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        for (Name name : byName.get(kind).keySet()) {
            if (pattern == null || Glob.matches(pattern, name.bytes(), false)) {
                out.add(name.bytes());
            }
        }
        return out;
    }

    /** PUBSUB NUMSUB / SHARDNUMSUB: how many clients are subscribed to a name. */
    public int subscriberCount(Kind kind, byte[] name) {
        LinkedHashSet<Subscriber> subscribers = byName.get(kind).get(new Name(name));
        return subscribers == null ? 0 : subscribers.size();
    }

    /**
     * How many distinct names of a kind have subscribers: INFO's pubsub_channels, pubsub_patterns
     * (also PUBSUB NUMPAT) and pubsubshard_channels.
     */
    public int activeCount(Kind kind) {
        return byName.get(kind).size();
    }

    /** One client's subscriptions, each kind in the order subscribed. */
    private static final class Subscriber {
        final Session session;
        private final EnumMap<Kind, LinkedHashSet<Name>> names = new EnumMap<>(Kind.class);

        Subscriber(Session session) {
            this.session = session;
            for (Kind kind : Kind.values()) {
                names.put(kind, new LinkedHashSet<>());
            }
        }

        LinkedHashSet<Name> names(Kind kind) {
            return names.get(kind);
        }

        /** The count a confirmation carries: channels and patterns together, shard channels apart. */
        int confirmedCount(Kind kind) {
            return kind == Kind.SHARD_CHANNEL ? session.subscribedShardChannels()
                    : session.subscribedChannels() + session.subscribedPatterns();
        }

        void countsChanged() {
            session.setSubscriptionCounts(names(Kind.CHANNEL).size(), names(Kind.PATTERN).size(),
                    names(Kind.SHARD_CHANNEL).size());
        }
    }

    /** A channel name or pattern, compared by content. */
    private record Name(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Name other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
