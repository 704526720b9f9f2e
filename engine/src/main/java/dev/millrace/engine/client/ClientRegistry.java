package dev.millrace.engine.client;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All connected clients, by id, in connection order (CLIENT LIST order). Execution thread only.
 */
public final class ClientRegistry {
    private final Map<Long, Session> sessions = new LinkedHashMap<>();
    private long nextId = 1;
    private long totalConnections;

    public Session open(Connection connection, long nowMillis, boolean authenticated) {
        Session session = new Session(nextId++, connection, nowMillis, authenticated);
        sessions.put(session.id(), session);
        totalConnections++;
        return session;
    }

    public void closed(Session session) {
        sessions.remove(session.id());
    }

    public Session byId(long id) {
        return sessions.get(id);
    }

    public Collection<Session> all() {
        return Collections.unmodifiableCollection(sessions.values());
    }

    public int count() {
        return sessions.size();
    }

    public long totalConnections() {
        return totalConnections;
    }
}
