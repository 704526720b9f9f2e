package dev.millrace.engine.tracking;

import java.util.Arrays;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One client's CLIENT TRACKING state (Redis's CLIENT_TRACKING_* flags, redirection and prefixes).
 * Execution thread only.
 */
public final class TrackingClient {
    boolean bcast;
    boolean optIn;
    boolean optOut;
    boolean noLoop;
    /** CLIENT CACHING YES (in OPTIN) or NO (in OPTOUT) was given for the next command. */
    boolean caching;
    boolean brokenRedirect;
    /** The client invalidations go to, or 0 for this client itself. */
    long redirect;
    /** BCAST prefixes, in Redis's radix-tree order (unsigned bytes). */
    final NavigableSet<byte[]> prefixes = new TreeSet<>(Arrays::compareUnsigned);

    public boolean bcast() { return bcast; }
    public boolean optIn() { return optIn; }
    public boolean optOut() { return optOut; }
    public boolean noLoop() { return noLoop; }
    public boolean caching() { return caching; }
    public boolean brokenRedirect() { return brokenRedirect; }
    public long redirect() { return redirect; }
    public NavigableSet<byte[]> prefixes() { return java.util.Collections.unmodifiableNavigableSet(prefixes); }

    /** Whether the keys the current command reads are remembered (OPTIN needs CACHING YES, OPTOUT not CACHING NO). */
    boolean remembersReads() {
        return !(optIn && !caching) && !(optOut && caching);
    }
}
