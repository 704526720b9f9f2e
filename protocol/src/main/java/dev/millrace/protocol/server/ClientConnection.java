package dev.millrace.protocol.server;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.OutputBufferLimits;
import dev.millrace.protocol.resp.RespDecoder;
import dev.millrace.protocol.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One client connection: decodes what it reads into commands, executes each through the engine as
 * soon as it is decoded (so a pipelined batch runs in order, each command seeing the effects of the
 * ones before), collects the replies in one buffer, and leaves flushing to the {@link GroupCommit}.
 * It is also the engine's {@link Connection} for this client.
 *
 * <p>As Redis: a protocol error replies the error after the replies of the commands decoded before it
 * and closes the connection once they are flushed; a query buffer over client-query-buffer-limit closes
 * it at once, without a reply; a closing client's further input is ignored.
 *
 * <p>A blocked client (BLPOP ...) is still read, so its disconnection is noticed, but its input is held
 * back undecoded ({@link #held}, counted against client-query-buffer-limit like Redis's query buffer)
 * until the engine reports it {@link #unblocked()}; then it is decoded and executed in a task of its
 * own, after whatever command unblocked it.
 *
 * <p>Output: replies and pub/sub messages are handed to Netty at each flush; what the peer has not read
 * yet waits in the channel's outbound buffer. That pending output is held to client-output-buffer-limit
 * (the pubsub class while the client is subscribed, else the normal class) after each flush, as Redis
 * checks its reply list: at the hard limit, or above the soft limit for longer than its seconds, the
 * client is closed at once, its pending output dropped, so a subscriber that stops reading cannot
 * exhaust the server's memory.
 *
 * <p>Execution thread only (the connection's event loop is the server's single execution loop).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter
        implements Connection, RespDecoder.Limits, RespDecoder.CommandSink {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final byte[] MAX_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What one serve of a client reads while a script is busy, at most (Redis reads 16 KiB at a time). */
    private static final int BUSY_READ = 16 * 1024;

    private final RespServer server;
    private final Engine engine;
    private ChannelHandlerContext ctx;
    private Session session;
    private RespDecoder decoder;
    private RespWriter writer;
    private String remoteAddress = "";
    private String localAddress = "";
    private int fd = -1;
    private boolean closing;
    private boolean flushRegistered;
    /** Input received since the client blocked, not decoded yet; null when none is held. */
    private ByteBuf held;
    /** Unix seconds since the pending output has been at or above the soft limit; 0 when below. */
    private long softLimitReachedAtSeconds;

    /** Whether this client's command is executing (a script it runs may serve other clients meanwhile). */
    private boolean executing;
    /** Whether the commands being decoded are served while a script is busy ({@link #serveWhileBusy}). */
    private boolean servingWhileBusy;

    ClientConnection(RespServer server) {
        this.server = server;
        this.engine = server.engine();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel channel = ctx.channel();
        if (engine.clients().count() >= engine.config().getLong("maxclients")) {
            engine.stats().rejectedConnections++;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        remoteAddress = format(channel.remoteAddress());
        localAddress = format(channel.localAddress());
        if (channel instanceof UnixChannel unix) {
            fd = unix.fd().intValue();
        }
        decoder = new RespDecoder(this);
        writer = new RespWriter(ctx.alloc(), () -> session.protocol(), this::registerFlush);
        session = engine.connect(this);
        server.clientConnected(channel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (session == null || closing || server.halted()) {
                return;
            }
            engine.stats().netInputBytes += in.readableBytes();
            if (held != null || session.blocked()) {
                hold(in);
            } else {
                decode(in);
            }
        } finally {
            in.release();
        }
    }

    /** Decodes and executes what {@code in} completes; keeps what follows a command that blocked. */
    private void decode(ByteBuf in) {
        switch (decoder.decode(in, this)) {
            case PROTOCOL_ERROR -> {
                log.debug("Protocol error ({}) from client: id={} addr={}", decoder.error(), session.id(), remoteAddress);
                engine.stats().errorReplies++;
                writer.error(decoder.error());
                closeAfterReply();
            }
            case QUERY_BUFFER_FULL -> closeForQueryBuffer(decoder.bufferedBytes() + in.readableBytes());
            case STOPPED -> {
                if (session.blocked() && !closing && in.isReadable()) {
                    hold(in);
                }
            }
            case NEED_MORE -> { }
        }
    }

    /** Keeps input back while the client is blocked, within client-query-buffer-limit. */
    private void hold(ByteBuf in) {
        if (held == null) {
            held = ctx.alloc().buffer(in.readableBytes());
        }
        held.writeBytes(in);
        long pending = decoder.bufferedBytes() + held.readableBytes();
        if (pending > server.limits().queryBufferLimit()) {
            closeForQueryBuffer(pending);
        }
    }

    private void closeForQueryBuffer(long bytes) {
        log.warn("Closing client that reached max query buffer length: id={} addr={} (qbuf={})",
                session.id(), remoteAddress, bytes);
        closing = true;
        writer.discard();
        releaseHeld();
        ctx.close();
    }

    /** Executes the input held back while the client was blocked, until it blocks again. */
    private void resumeHeld() {
        if (held == null || session == null || session.blocked()) {
            return; // gone (released on close), or blocked again: the input stays held
        }
        ByteBuf input = held;
        held = null;
        try {
            if (!closing && !server.halted()) {
                decode(input);
            }
        } finally {
            input.release();
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** Executes one decoded command; stops the decoding once the client is closing or blocked. */
    @Override
    public boolean command(byte[][] argv) {
        if (servingWhileBusy) {
            engine.executeWhileBusy(session, argv, writer);
        } else {
            executing = true;
            try {
                engine.execute(session, argv, writer);
            } finally {
                executing = false;
            }
        }
        return !closing && !server.halted() && !session.blocked();
    }

    /**
     * Redis's processEventsWhileBlocked for this client, while a script keeps the execution thread
     * busy past busy-reply-threshold (called from the script's hook): reads what the socket holds,
     * which Netty cannot (its loop is this thread, and the thread is in the script), answers it
     * through {@link Engine#executeWhileBusy} (BUSY, or AUTH, HELLO, SCRIPT KILL, ...) and sends the
     * replies at once. Input left incomplete stays in the decoder for Netty's next read.
     *
     * <p>Left alone, to be answered when the script ends: the script's own client, a client with
     * replies of the current batch waiting for their group commit (ours would overtake them), a
     * blocked client or one with held input (its commands wait anyway, as in Redis), one closing.
     * Only the epoll transport exposes the socket; with NIO every client waits.
     */
    void serveWhileBusy() {
        if (session == null || executing || closing || flushRegistered || held != null || session.blocked()
                || !(ctx.channel() instanceof UnixChannel unix) || !ctx.channel().isOpen()) {
            return;
        }
        ByteBuf in = ctx.alloc().directBuffer(BUSY_READ);
        try {
            ByteBuffer window = in.internalNioBuffer(0, BUSY_READ);
            int read = unix.fd().read(window, window.position(), window.limit());
            if (read <= 0) {
                return; // nothing yet, or the peer closed: Netty sees the end once the script is over
            }
            in.writerIndex(read);
            engine.stats().netInputBytes += read;
            servingWhileBusy = true;
            decode(in);
        } catch (IOException e) {
            log.debug("Reading client {} while a script runs: {}", remoteAddress, e.toString());
            return; // Netty meets the same error once the script is over, and closes the client
        } finally {
            servingWhileBusy = false;
            in.release();
        }
        if (flushRegistered) {
            flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            engine.disconnect(session);
            session = null;
            writer.discard();
            decoder.release();
        }
        releaseHeld();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Closing client {}: {}", remoteAddress, cause.toString());
        } else {
            log.warn("Closing client {} after an unexpected error", remoteAddress, cause);
        }
        closing = true;
        ctx.close();
    }

    private void registerFlush() {
        if (!flushRegistered) {
            flushRegistered = true;
            server.groupCommit().register(this);
        }
    }

    /** Sends the pending replies (their effects are durable by now), then closes if the client is closing. */
    void flush() {
        flushRegistered = false;
        ByteBuf out = writer == null ? null : writer.take();
        if (!ctx.channel().isActive()) {
            if (out != null) {
                out.release();
            }
            return;
        }
        if (out != null) {
            engine.stats().netOutputBytes += out.readableBytes();
            ctx.write(out, ctx.voidPromise());
        }
        if (closing) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.flush();
            enforceOutputBufferLimit();
        }
    }

    /** Closes the client when its unsent output is over client-output-buffer-limit (Redis's checkClientOutputBufferLimits). */
    private void enforceOutputBufferLimit() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        if (outbound == null || session == null) {
            return;
        }
        long pending = outbound.totalPendingWriteBytes();
        OutputBufferLimits.Limit limit = server.limits().outputBufferLimit(session.subscribed());
        boolean hard = limit.hardBytes() != 0 && Long.compareUnsigned(pending, limit.hardBytes()) >= 0;
        boolean soft = false;
        if (limit.softBytes() != 0 && Long.compareUnsigned(pending, limit.softBytes()) >= 0) {
            long now = engine.clock().currentTimeMillis() / 1000;
            if (softLimitReachedAtSeconds == 0) {
                softLimitReachedAtSeconds = now;
            } else {
                soft = now - softLimitReachedAtSeconds > limit.softSeconds();
            }
        } else {
            softLimitReachedAtSeconds = 0;
        }
        if (hard || soft) {
            log.warn("Client id={} addr={} omem={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                    session.id(), remoteAddress, pending);
            closing = true;
            ctx.close();
        }
    }

    /** Closes without sending the pending replies (their effects could not be made durable). */
    void abort() {
        flushRegistered = false;
        closing = true;
        writer.discard();
        ctx.close();
    }

    // --- Connection, as the engine sees this client ---

    @Override
    public void closeAfterReply() {
        closing = true;
        registerFlush();
    }

    /** The held input runs in a task of its own: never inside the command that unblocked this client. */
    @Override
    public void unblocked() {
        if (held != null) {
            ctx.executor().execute(this::resumeHeld);
        }
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String localAddress() {
        return localAddress;
    }

    @Override
    public int fd() {
        return fd;
    }

    // --- RespDecoder.Limits ---

    @Override
    public long maxBulkLength() {
        return server.limits().maxBulkLength();
    }

    @Override
    public long queryBufferLimit() {
        return server.limits().queryBufferLimit();
    }

    @Override
    public boolean authRequired() {
        return !session.authenticated();
    }

    /** "ip:port" as Redis prints addresses, IPv6 in brackets ("[::1]:6379"). */
    static String format(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        String host = NetUtil.toAddressString(inet.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
}
