package dev.millrace.engine.blocking;

import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.reply.ReplyWriter;

import java.util.List;

/**
 * One blocked client: its blocking command, where its reply goes, the keys it waits on (each once, in
 * argument order), its deadline and its {@link Waiter}. {@code sequence} orders clients that block with
 * the same deadline. Immutable; owned by {@link BlockingKeys}.
 *
 * @param replyMode the session's CLIENT REPLY mode when it blocked: a SKIP applies to the reply sent
 *                  when it is served, and only then ends, as in Redis
 * @param deadline  unix milliseconds after which the client times out, or {@link BlockingTimeout#FOREVER}
 */
public record BlockedClient(Session session, ReplyWriter reply, byte[][] argv, CommandSpec spec, int db,
                            List<byte[]> keys, long deadline, Waiter waiter, long sequence,
                            Session.ReplyMode replyMode) {
}
