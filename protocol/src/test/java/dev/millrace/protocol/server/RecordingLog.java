package dev.millrace.protocol.server;

import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An effect log that numbers its records, remembers the record of each key written, and how many
 * records the last sync made durable: a test can ask whether a key's effect was synced. It also keeps
 * every effect as text, "record db:ARG ARG ...". Background syncs run on a thread of its own.
 */
final class RecordingLog implements EffectLog {
    final AtomicLong appended = new AtomicLong();
    final AtomicLong effectsAppended = new AtomicLong();
    final AtomicLong durable = new AtomicLong();
    final AtomicLong syncs = new AtomicLong();
    /** Background syncs asked for. */
    final AtomicLong syncRequests = new AtomicLong();
    private final ExecutorService syncThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "recording-log-sync");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Long> recordOfKey = new ConcurrentHashMap<>();
    final List<String> logged = new CopyOnWriteArrayList<>();

    @Override
    public long append(long unixTimeMillis, List<Effect> effects) {
        long index = appended.get();
        for (Effect effect : effects) {
            StringBuilder text = new StringBuilder().append(index).append(' ').append(effect.db()).append(':');
            for (int i = 0; i < effect.argv().length; i++) {
                text.append(i == 0 ? "" : " ").append(new String(effect.argv()[i], StandardCharsets.ISO_8859_1));
            }
            logged.add(text.toString());
            if (effect.argv().length > 1) {
                recordOfKey.put(new String(effect.argv()[1], StandardCharsets.ISO_8859_1), index);
            }
        }
        effectsAppended.addAndGet(effects.size());
        appended.set(index + 1);
        return index;
    }

    @Override
    public void sync() {
        syncs.incrementAndGet();
        durable.accumulateAndGet(appended.get(), Math::max);
    }

    @Override
    public void syncInBackground(Consumer<RuntimeException> done) {
        syncRequests.incrementAndGet();
        long covered = appended.get();
        syncThread.execute(() -> {
            syncs.incrementAndGet();
            durable.accumulateAndGet(covered, Math::max);
            done.accept(null);
        });
    }

    /** Whether the last effect on {@code key} is covered by a sync. */
    boolean synced(String key) {
        Long index = recordOfKey.get(key);
        return index != null && index < durable.get();
    }

    @Override
    public long lastIndex() {
        return appended.get() - 1;
    }

    @Override
    public void close() {
        syncThread.shutdownNow();
    }
}
