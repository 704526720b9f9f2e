package dev.millrace.protocol.server;

import dev.millrace.engine.Engine;
import dev.millrace.engine.config.OutputBufferLimits;
import dev.millrace.engine.config.ServerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The RESP server, in Redis's execution model: one event-loop thread (the execution thread) does the
 * I/O of every client and executes every command, so the engine needs no locks; a second thread only
 * accepts connections, and a third serves only the connections accepted while a script keeps the
 * execution thread busy ({@link BusyScriptConnection}). Epoll when the native transport is available,
 * NIO otherwise.
 *
 * <p>Per read, a client's commands execute as they are decoded and their replies collect in the
 * client's buffer; once per loop iteration the {@link GroupCommit} calls {@link Engine#afterBatch()}
 * (the AOF's fsync with {@code appendfsync always}) and then flushes every client with output, so no
 * reply leaves before its effects are durable. {@link Engine#cron()} runs on the same thread {@code hz}
 * times a second.
 *
 * <p>Listens on every address of the {@code bind} parameter (a leading '-' makes one optional, as in
 * Redis) at {@code port}; port 0 takes an ephemeral port, shared by all addresses, see {@link #port()}.
 *
 * <p>Lifecycle: {@link #start()} once; {@link #halt()} from the execution thread (SHUTDOWN) stops
 * command execution at once; {@link #close()} from any other thread stops everything and waits.
 */
public final class RespServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RespServer.class);
    /** Redis reads 16 KiB at a time; Netty's reads adapt up to 64 KiB (bounding what one read decodes). */
    private static final int MAX_READ = 64 * 1024;
    private static final int TCP_BACKLOG = 511;

    private final Engine engine;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup executionGroup;
    private final EventLoop executionLoop;
    /** Serves the connections accepted while a script keeps the execution loop busy (BusyScriptConnection). */
    private final EventLoopGroup busyGroup;
    private final Class<? extends ServerChannel> channelType;
    private final ChannelGroup clients;
    private final GroupCommit groupCommit;
    private final LiveLimits limits;
    private final List<Channel> listeners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean halted;
    private volatile int port = -1;

    /** A server around a ready engine (recovered already); nothing runs until {@link #start()}. */
    public RespServer(Engine engine) {
        this.engine = engine;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("millrace-accept"), io);
        this.executionGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("millrace-main"), io);
        this.executionLoop = executionGroup.next();
        this.busyGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("millrace-busy"), io);
        this.clients = new DefaultChannelGroup("clients", executionLoop);
        this.groupCommit = new GroupCommit(engine, executionLoop);
        this.limits = new LiveLimits(engine.config());
    }

    /**
     * Binds every configured address and starts serving.
     *
     * @throws IOException when a required address cannot be bound, or none could
     */
    public void start() throws IOException {
        ServerConfig config = engine.config();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, executionGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, TCP_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 16 * 1024, MAX_READ))
                .handler(new BusyScriptAcceptor())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new ClientConnection(RespServer.this));
                    }
                });
        int keepAlive = config.getInt("tcp-keepalive");
        if (keepAlive > 0) {
            bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
            if (channelType == EpollServerSocketChannel.class) {
                // As Redis's anetKeepAlive: probes after the idle time, then every third of it.
                bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, keepAlive)
                        .childOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, keepAlive / 3))
                        .childOption(EpollChannelOption.TCP_KEEPCNT, 3);
            }
        }
        int bindPort = config.getInt("port");
        for (String word : config.get("bind").trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            boolean optional = word.startsWith("-");
            String host = hostOf(optional ? word.substring(1) : word);
            try {
                Channel listener = bootstrap.bind(host, bindPort).syncUninterruptibly().channel();
                listeners.add(listener);
                bindPort = ((InetSocketAddress) listener.localAddress()).getPort();
            } catch (Exception e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                boolean inUse = reason.toLowerCase(Locale.ROOT).contains("in use");
                if (optional && !inUse) {
                    log.warn("Could not create server TCP listening socket {}:{}: {} (optional, skipped)", host, bindPort, reason);
                    continue;
                }
                shutdownGroups();
                throw new IOException("Could not create server TCP listening socket " + host + ":" + bindPort + ": " + reason, e);
            }
        }
        if (listeners.isEmpty()) {
            shutdownGroups();
            throw new IOException("Failed listening on port " + bindPort + " (tcp), aborting.");
        }
        port = bindPort;
        // With port 0 the kernel chose; CONFIG GET port and INFO then show the port clients can use.
        config.set("port", Integer.toString(bindPort), true);
        executionLoop.execute(this::scheduleCron);
    }

    /** The TCP port the server listens on (the ephemeral one when configured with port 0), or -1 before start. */
    public int port() {
        return port;
    }

    /** The addresses actually listened on. */
    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (Channel listener : listeners) {
            bound.add((InetSocketAddress) listener.localAddress());
        }
        return bound;
    }

    /**
     * Stops executing commands from now on and stops accepting connections; input still arriving is
     * ignored. For SHUTDOWN, on the execution thread; {@link #close()} finishes the job.
     */
    public void halt() {
        halted = true;
        for (Channel listener : listeners) {
            listener.close();
        }
    }

    /**
     * Stops the server: halts, flushes the replies already produced (after the last group commit),
     * closes every client and waits for both threads to end. Idempotent; must not be called on the
     * execution thread (it waits for it).
     */
    @Override
    public void close() {
        if (executionLoop.inEventLoop()) {
            throw new IllegalStateException("close() waits for the execution thread; call halt() there");
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!executionLoop.isShuttingDown()) {
            executionLoop.submit(() -> {
                halt();
                groupCommit.run();
            }).awaitUninterruptibly(5, TimeUnit.SECONDS);
            clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        shutdownGroups();
    }

    private void shutdownGroups() {
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        executionGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        busyGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * On the accept thread, before Netty's acceptor: a connection accepted while a script has run for
     * longer than busy-reply-threshold goes to the busy loop (the execution loop could not answer it
     * until the script ends); any other goes on to the acceptor and the execution loop.
     */
    @ChannelHandler.Sharable // one instance on the listener of every bound address
    private final class BusyScriptAcceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long since = engine.scripting().runningSince();
            if (since < 0 || System.currentTimeMillis() - since < limits.busyReplyThreshold()) {
                ctx.fireChannelRead(msg);
                return;
            }
            Channel child = (Channel) msg;
            child.config().setOption(ChannelOption.TCP_NODELAY, true);
            child.pipeline().addLast(new BusyScriptConnection(RespServer.this));
            busyGroup.register(child).addListener(registered -> {
                if (!registered.isSuccess()) {
                    child.unsafe().closeForcibly();
                }
            });
        }
    }

    /**
     * SHUTDOWN NOSAVE while a script runs: the process exits at once, without saving and without
     * waiting for the execution thread (which is in the script). What the log holds was written before
     * the script started, so recovery at the next start is the usual one after a crash.
     */
    void exitNow() {
        Runtime.getRuntime().halt(0);
    }

    private void scheduleCron() {
        if (halted) {
            return;
        }
        int hz = engine.config().getInt("hz");
        executionLoop.schedule(this::cron, Math.max(1, 1000 / hz), TimeUnit.MILLISECONDS);
    }

    private void cron() {
        if (halted) {
            return;
        }
        try {
            engine.cron();
        } catch (RuntimeException e) {
            log.error("Error in the periodic server task", e);
        }
        scheduleCron();
    }

    /** Redis's wildcards: "*" is every IPv4 address, "::*" every IPv6 address. */
    private static String hostOf(String address) {
        return switch (address) {
            case "*" -> "0.0.0.0";
            case "::*" -> "::";
            default -> address;
        };
    }

    Engine engine() {
        return engine;
    }

    EventLoop executionLoop() {
        return executionLoop;
    }

    GroupCommit groupCommit() {
        return groupCommit;
    }

    LiveLimits limits() {
        return limits;
    }

    boolean halted() {
        return halted;
    }

    void clientConnected(Channel channel) {
        clients.add(channel);
    }

    /** The connections' limits, kept current by CONFIG SET so the hot path does not parse config text. */
    static final class LiveLimits {
        private volatile long maxBulkLength;
        private volatile long queryBufferLimit;
        private volatile OutputBufferLimits outputBufferLimits;
        private volatile long busyReplyThreshold;
        private volatile String requirePass;

        LiveLimits(ServerConfig config) {
            maxBulkLength = config.getLong("proto-max-bulk-len");
            queryBufferLimit = config.getLong("client-query-buffer-limit");
            config.onChange("proto-max-bulk-len", value -> maxBulkLength = Long.parseLong(value));
            config.onChange("client-query-buffer-limit", value -> queryBufferLimit = Long.parseLong(value));
            outputBufferLimits = config.outputBufferLimits();
            config.onChange("client-output-buffer-limit", value -> outputBufferLimits = OutputBufferLimits.parse(value));
            busyReplyThreshold = config.getLong("busy-reply-threshold");
            config.onChange("busy-reply-threshold", value -> busyReplyThreshold = Long.parseLong(value));
            requirePass = config.get("requirepass");
            config.onChange("requirepass", value -> requirePass = value);
        }

        /** client-output-buffer-limit's limit for a client: the pubsub class while it is subscribed. */
        OutputBufferLimits.Limit outputBufferLimit(boolean subscriber) {
            OutputBufferLimits limits = outputBufferLimits;
            return subscriber ? limits.pubsub() : limits.normal();
        }

        long busyReplyThreshold() {
            return busyReplyThreshold;
        }

        String requirePass() {
            return requirePass;
        }

        long maxBulkLength() {
            return maxBulkLength;
        }

        long queryBufferLimit() {
            return queryBufferLimit;
        }
    }
}
