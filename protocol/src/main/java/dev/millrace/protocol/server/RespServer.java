package dev.millrace.protocol.server;

import dev.millrace.engine.Engine;
import dev.millrace.engine.config.OutputBufferLimits;
import dev.millrace.engine.config.ServerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
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
import io.netty.channel.epoll.EpollSocketChannel;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The RESP server, in Redis's execution model: one event-loop thread (the execution thread) does the
 * I/O of every client and executes every command, so the engine needs no locks; a second thread only
 * accepts connections. Epoll when the native transport is available, NIO otherwise.
 *
 * <p>A script that runs past busy-reply-threshold keeps the execution thread from its loop, so its hook
 * serves the other clients itself ({@link #serveWhileBusy}, Redis's processEventsWhileBlocked): it
 * registers the connections accepted meanwhile and reads every client's socket directly. That is why
 * accepted connections are handed to the execution thread through {@link #accepted} rather than by
 * Netty's acceptor, whose registration task would wait for the script's end.
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
    /** Connections accepted and not yet registered with the execution loop (see {@link ClientAcceptor}). */
    private final Queue<Channel> accepted = new ConcurrentLinkedQueue<>();
    private final ChannelInitializer<Channel> clientInitializer = new ClientInitializer();
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
        this.clients = new DefaultChannelGroup("clients", executionLoop);
        this.groupCommit = new GroupCommit(engine, executionLoop);
        this.limits = new LiveLimits(engine.config());
        engine.scripting().whileBusy(this::serveWhileBusy);
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
                .handler(new ClientAcceptor())
                .childHandler(clientInitializer); // required by the bootstrap; ClientAcceptor installs it
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
                engine.writeBack(); // no command follows: the storage may close
                for (Channel unregistered; (unregistered = accepted.poll()) != null; ) {
                    unregistered.unsafe().closeForcibly();
                }
            }).awaitUninterruptibly(5, TimeUnit.SECONDS);
            clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        shutdownGroups();
    }

    private void shutdownGroups() {
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        executionGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * On the accept thread, instead of Netty's acceptor: queues each accepted connection for the
     * execution thread, which registers it at its next task, or from a busy script's hook
     * ({@link #serveWhileBusy}). Netty's acceptor would register it through a task of the execution
     * loop, which a busy script keeps from running.
     */
    @ChannelHandler.Sharable // one instance on the listener of every bound address
    private final class ClientAcceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            accepted.add((Channel) msg);
            executionLoop.execute(RespServer.this::registerAccepted);
        }
    }

    /** Registers the queued connections with the execution loop: on the execution thread, so at once. */
    private void registerAccepted() {
        for (Channel child; (child = accepted.poll()) != null; ) {
            Channel channel = child;
            channel.pipeline().addLast(clientInitializer);
            executionLoop.register(channel).addListener(registered -> {
                if (!registered.isSuccess()) {
                    log.warn("Failed to register an accepted connection", registered.cause());
                    channel.unsafe().closeForcibly();
                }
            });
        }
    }

    /**
     * What a script's hook runs once the script is busy, on the execution thread between two Lua
     * instructions: registers the connections accepted meanwhile, then lets every client answer what it
     * sent (see {@link ClientConnection#serveWhileBusy}).
     */
    private void serveWhileBusy() {
        registerAccepted();
        for (Channel channel : clients) {
            ClientConnection client = channel.pipeline().get(ClientConnection.class);
            if (client != null) {
                client.serveWhileBusy();
            }
        }
    }

    /** A client's options and its {@link ClientConnection}, set up when it registers. */
    @ChannelHandler.Sharable
    private final class ClientInitializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel channel) {
            ChannelConfig options = channel.config();
            options.setOption(ChannelOption.TCP_NODELAY, true);
            options.setOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 16 * 1024, MAX_READ));
            int keepAlive = engine.config().getInt("tcp-keepalive");
            if (keepAlive > 0) {
                options.setOption(ChannelOption.SO_KEEPALIVE, true);
                if (channel instanceof EpollSocketChannel) {
                    // As Redis's anetKeepAlive: probes after the idle time, then every third of it.
                    options.setOption(EpollChannelOption.TCP_KEEPIDLE, keepAlive);
                    options.setOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, keepAlive / 3));
                    options.setOption(EpollChannelOption.TCP_KEEPCNT, 3);
                }
            }
            channel.pipeline().addLast(new ClientConnection(RespServer.this));
        }
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

        LiveLimits(ServerConfig config) {
            maxBulkLength = config.getLong("proto-max-bulk-len");
            queryBufferLimit = config.getLong("client-query-buffer-limit");
            config.onChange("proto-max-bulk-len", value -> maxBulkLength = Long.parseLong(value));
            config.onChange("client-query-buffer-limit", value -> queryBufferLimit = Long.parseLong(value));
            outputBufferLimits = config.outputBufferLimits();
            config.onChange("client-output-buffer-limit", value -> outputBufferLimits = OutputBufferLimits.parse(value));
        }

        /** client-output-buffer-limit's limit for a client: the pubsub class while it is subscribed. */
        OutputBufferLimits.Limit outputBufferLimit(boolean subscriber) {
            OutputBufferLimits limits = outputBufferLimits;
            return subscriber ? limits.pubsub() : limits.normal();
        }

        long maxBulkLength() {
            return maxBulkLength;
        }

        long queryBufferLimit() {
            return queryBufferLimit;
        }
    }
}
