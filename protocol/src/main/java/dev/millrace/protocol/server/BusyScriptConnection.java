package dev.millrace.protocol.server;

import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.scripting.Scripting;
import dev.millrace.protocol.resp.RespDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * A connection accepted while the execution thread has been running one script for longer than
 * {@code busy-reply-threshold} (Redis's "busy" state). The execution thread cannot serve it, so it
 * lives on the server's busy loop until the script ends, and answers there what Redis answers a
 * busy server: SCRIPT KILL and FUNCTION KILL (through {@link Scripting#kill}, which is thread-safe),
 * AUTH, SHUTDOWN NOSAVE (the process exits without saving, the script's writes unlogged), and the
 * {@code BUSY} error for everything else. Once the script ends the connection moves to the execution
 * loop as an ordinary {@link ClientConnection}, with the input it has not answered yet and its
 * authentication.
 *
 * <p>Clients connected before the script started wait, as they do in Redis before the threshold: their
 * event loop is the execution thread. Only a new connection can kill a script (redis-cli does exactly
 * that).
 *
 * <p>Busy-loop thread only.
 */
final class BusyScriptConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BusyScriptConnection.class);
    private static final long POLL_MILLIS = 10;

    private final RespServer server;
    private final Scripting scripting;
    /** Input not answered yet: a partial command, or commands left for the execution loop. */
    private ByteBuf pending;
    private boolean authenticated;
    private boolean moving;

    BusyScriptConnection(RespServer server) {
        this.server = server;
        this.scripting = server.engine().scripting();
        this.authenticated = server.limits().requirePass().isEmpty();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = ctx.alloc().buffer();
        pollUntilScriptEnds(ctx);
    }

    private void pollUntilScriptEnds(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive() || moving) {
                return;
            }
            if (scripting.runningSince() < 0) {
                moveToExecutionLoop(ctx);
            } else {
                pollUntilScriptEnds(ctx);
            }
        }, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (moving) {
                pending.writeBytes(in);
                return;
            }
            if (pending.readableBytes() + in.readableBytes() > server.limits().queryBufferLimit()) {
                ctx.close();
                return;
            }
            pending.writeBytes(in);
        } finally {
            in.release();
        }
        answerPending(ctx);
    }

    /**
     * Answers the complete commands in {@link #pending} while the script runs. A fresh decoder reads a
     * view of it each time, so what stays unanswered (a partial command, or the commands after the
     * script ended) is still raw input the execution loop can decode from the start.
     */
    private void answerPending(ChannelHandlerContext ctx) {
        ByteBuf view = pending.duplicate();
        RespDecoder decoder = new RespDecoder(new RespDecoder.Limits() {
            @Override public long maxBulkLength() { return server.limits().maxBulkLength(); }
            @Override public long queryBufferLimit() { return server.limits().queryBufferLimit(); }
            @Override public boolean authRequired() { return !authenticated; }
        });
        try {
            RespDecoder.Result result = decoder.decode(view, argv -> {
                if (scripting.runningSince() < 0) {
                    return false; // the execution loop answers this one
                }
                ByteBuf reply = ctx.alloc().buffer();
                reply.writeCharSequence(answer(argv), StandardCharsets.UTF_8);
                ctx.writeAndFlush(reply);
                pending.readerIndex(view.readerIndex());
                return true;
            });
            if (result == RespDecoder.Result.PROTOCOL_ERROR) {
                ByteBuf reply = ctx.alloc().buffer();
                reply.writeCharSequence("-" + decoder.error() + "\r\n", StandardCharsets.UTF_8);
                ctx.writeAndFlush(reply).addListener(f -> ctx.close());
                return;
            }
        } finally {
            decoder.release();
        }
        pending.discardReadBytes();
        if (scripting.runningSince() < 0) {
            moveToExecutionLoop(ctx);
        }
    }

    /** The reply to one command while the script runs, RESP-encoded. */
    private String answer(byte[][] argv) {
        String name = word(argv[0]);
        if (name.equals("auth")) {
            return auth(argv);
        }
        if (!authenticated) {
            return "-" + Errors.NOAUTH + "\r\n";
        }
        boolean kill = argv.length == 2 && word(argv[1]).equals("kill");
        if (kill && (name.equals("script") || name.equals("function"))) {
            String error = scripting.kill(name.equals("function"));
            return error == null ? "+OK\r\n" : "-" + error + "\r\n";
        }
        if (name.equals("shutdown") && argv.length == 2 && word(argv[1]).equals("nosave")) {
            log.warn("User requested shutdown while a script runs: exiting without saving (the script's writes are not logged)");
            server.exitNow();
        }
        return "-" + (scripting.runningFunction() ? Errors.BUSY_FUNCTION : Errors.BUSY_EVAL) + "\r\n";
    }

    /** AUTH [default] password against requirepass, the only user there is (as ConnectionCommands). */
    private String auth(byte[][] argv) {
        if (argv.length < 2) {
            return "-" + Errors.wrongArity("auth") + "\r\n";
        }
        if (argv.length > 3) {
            return "-" + Errors.SYNTAX + "\r\n";
        }
        String required = server.limits().requirePass();
        if (argv.length == 2 && required.isEmpty()) {
            return "-" + Errors.AUTH_NOT_CONFIGURED + "\r\n";
        }
        boolean userOk = argv.length == 2 || new String(argv[1], StandardCharsets.ISO_8859_1).equals("default");
        byte[] password = argv[argv.length - 1];
        if (userOk && (required.isEmpty()
                || MessageDigest.isEqual(required.getBytes(StandardCharsets.ISO_8859_1), password))) {
            authenticated = true;
            return "+OK\r\n";
        }
        return "-" + Errors.WRONGPASS + "\r\n";
    }

    /**
     * Hands the channel to the execution loop: stops reading here, deregisters from the busy loop,
     * registers with the execution loop and installs a {@link ClientConnection} that starts with the
     * unanswered input.
     */
    private void moveToExecutionLoop(ChannelHandlerContext ctx) {
        if (moving) {
            return;
        }
        moving = true;
        Channel channel = ctx.channel();
        channel.config().setAutoRead(false);
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                pending.release();
                channel.close();
                return;
            }
            server.executionLoop().register(channel).addListener(registered -> {
                ByteBuf input = pending;
                channel.pipeline().remove(this);
                if (!registered.isSuccess() || server.halted()) {
                    input.release();
                    channel.close();
                    return;
                }
                channel.pipeline().addLast(new ClientConnection(server, input, authenticated));
                channel.config().setAutoRead(true);
            });
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!moving && pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing busy-time client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static String word(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    }
}
