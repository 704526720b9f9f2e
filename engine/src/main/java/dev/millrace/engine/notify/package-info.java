/**
 * Keyspace notifications (Redis's {@code notify-keyspace-events}): which events a write announces
 * ({@link dev.millrace.engine.notify.Announcement}, per command from {@code events.table}), the event
 * classes a server is configured to publish, and the notifier the keyspace's write path calls, which
 * publishes {@code __keyspace@db__:key} and {@code __keyevent@db__:event} messages through a
 * {@link dev.millrace.engine.notify.Publisher}.
 */
package dev.millrace.engine.notify;
