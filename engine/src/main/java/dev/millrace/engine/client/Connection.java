package dev.millrace.engine.client;

/**
 * What the engine may ask of a client's transport. Implemented by the protocol adapter; the engine
 * never sees a socket. Methods are called on the execution thread.
 */
public interface Connection {
    /** Closes the connection after the replies already written are flushed. */
    void closeAfterReply();

    /** "ip:port" of the peer, as CLIENT LIST's {@code addr}. */
    String remoteAddress();

    /** "ip:port" of our end, as CLIENT LIST's {@code laddr}. */
    String localAddress();

    /** File descriptor number where the transport has one, or -1. */
    default int fd() {
        return -1;
    }

    /**
     * The client's blocking command was answered (served, timed out, CLIENT UNBLOCK): the transport
     * resumes executing the commands it held back since the client blocked, after the current one.
     */
    default void unblocked() {
    }

    /** A connection for internal callers (AOF replay, tests) that has no peer. */
    Connection NONE = new Connection() {
        @Override public void closeAfterReply() { }
        @Override public String remoteAddress() { return ""; }
        @Override public String localAddress() { return ""; }
    };
}
