package dev.millrace.engine.client;

import dev.millrace.engine.transaction.Transaction;
import dev.millrace.engine.reply.ReplyWriter;

/**
 * One client's state as the engine sees it: selected database, protocol version, authentication,
 * name and the flags CLIENT sets. Owned by the execution thread; the protocol adapter creates one per
 * connection through {@link ClientRegistry#open} and never mutates it.
 */
public final class Session {
    /** How CLIENT REPLY has told us to treat replies. */
    public enum ReplyMode { ON, OFF, SKIP, SKIP_NEXT }

    private final long id;
    private final Connection connection;
    private final long createdAtMillis;
    private int db;
    private int protocol = 2;
    private boolean authenticated;
    private String name = "";
    private String libName = "";
    private String libVersion = "";
    private ReplyMode replyMode = ReplyMode.ON;
    private boolean noEvict;
    private boolean noTouch;
    private long lastCommandAtMillis;
    private String lastCommand = "NULL";
    private boolean closing;
    private boolean blocked;
    private Transaction transaction;
    private ReplyWriter pushWriter = ReplyWriter.DISCARD;
    private int subscribedChannels;
    private int subscribedPatterns;
    private int subscribedShardChannels;

    public Session(long id, Connection connection, long nowMillis, boolean authenticated) {
        this.id = id;
        this.connection = connection;
        this.createdAtMillis = nowMillis;
        this.lastCommandAtMillis = nowMillis;
        this.authenticated = authenticated;
    }

    public long id() { return id; }
    public Connection connection() { return connection; }
    public long createdAtMillis() { return createdAtMillis; }
    public int db() { return db; }
    public void selectDb(int db) { this.db = db; }
    public int protocol() { return protocol; }
    public void setProtocol(int protocol) { this.protocol = protocol; }
    public boolean authenticated() { return authenticated; }
    public void setAuthenticated(boolean authenticated) { this.authenticated = authenticated; }
    public String name() { return name; }
    public void setName(String name) { this.name = name; }
    public String libName() { return libName; }
    public void setLibName(String libName) { this.libName = libName; }
    public String libVersion() { return libVersion; }
    public void setLibVersion(String libVersion) { this.libVersion = libVersion; }
    public ReplyMode replyMode() { return replyMode; }
    public void setReplyMode(ReplyMode replyMode) { this.replyMode = replyMode; }
    public boolean noEvict() { return noEvict; }
    public void setNoEvict(boolean noEvict) { this.noEvict = noEvict; }
    public boolean noTouch() { return noTouch; }
    public void setNoTouch(boolean noTouch) { this.noTouch = noTouch; }
    public long lastCommandAtMillis() { return lastCommandAtMillis; }
    public String lastCommand() { return lastCommand; }

    public void commandStarted(String fullName, long nowMillis) {
        this.lastCommand = fullName;
        this.lastCommandAtMillis = nowMillis;
    }

    /**
     * True while a blocking command (BLPOP ...) waits: the transport must not execute this client's
     * further commands until {@link Connection#unblocked()} (Redis leaves them in the query buffer).
     * Set and cleared by {@code blocking.BlockingKeys} only.
     */
    public boolean blocked() { return blocked; }
    public void setBlocked(boolean blocked) { this.blocked = blocked; }

    /**
     * The commands queued since MULTI, or null outside a transaction. Set and cleared by the transaction
     * commands only; the dispatcher reads it to queue commands instead of running them.
     */
    public Transaction transaction() { return transaction; }
    public void setTransaction(Transaction transaction) { this.transaction = transaction; }

    /**
     * Where out-of-band messages for this client go (pub/sub messages, invalidations): the writer of
     * its latest top-level command, which is its connection's; set by the dispatcher. Unlike a
     * command's reply it is not silenced by CLIENT REPLY OFF (Redis's CLIENT_PUSHING).
     */
    public ReplyWriter pushWriter() { return pushWriter; }
    public void setPushWriter(ReplyWriter pushWriter) { this.pushWriter = pushWriter; }

    /**
     * In pub/sub mode (Redis's CLIENT_PUBSUB): subscribed to at least one channel, pattern or shard
     * channel. A RESP2 client in this mode may only run the subscription commands, PING, QUIT, RESET.
     */
    public boolean subscribed() {
        return subscribedChannels + subscribedPatterns + subscribedShardChannels > 0;
    }

    public int subscribedChannels() { return subscribedChannels; }
    public int subscribedPatterns() { return subscribedPatterns; }
    public int subscribedShardChannels() { return subscribedShardChannels; }

    /** Kept current by {@code pubsub.PubSub}, the owner of the subscriptions. */
    public void setSubscriptionCounts(int channels, int patterns, int shardChannels) {
        this.subscribedChannels = channels;
        this.subscribedPatterns = patterns;
        this.subscribedShardChannels = shardChannels;
    }

    /** True once QUIT, CLIENT KILL or a protocol error has doomed this session. */
    public boolean closing() { return closing; }

    public void close() {
        closing = true;
        connection.closeAfterReply();
    }
}
