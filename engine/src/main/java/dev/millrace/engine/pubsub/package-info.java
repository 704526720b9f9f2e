/**
 * Publish/subscribe: the registry of which clients listen to which channels, patterns and shard
 * channels ({@link dev.millrace.engine.pubsub.PubSub}), and the delivery of messages to them through
 * each subscriber's push writer. Other parts of the engine publish through
 * {@code engine.pubsub().publish(channel, message)} (keyspace notifications) or write a frame to one
 * client with {@code session.pushWriter()} (client tracking).
 */
package dev.millrace.engine.pubsub;
