package dev.millrace.engine.notify;

/**
 * Where keyspace events go: Redis publishes them as ordinary pub/sub messages. The engine's pub/sub
 * registry implements it ({@code engine.pubsub().publish(channel, message)}). Execution thread only.
 */
@FunctionalInterface
public interface Publisher {
    /**
     * Publishes {@code message} on {@code channel}.
     *
     * @return how many subscribers received it
     */
    long publish(byte[] channel, byte[] message);

    /** No subscribers anywhere: every message is dropped. */
    Publisher NONE = (channel, message) -> 0;
}
