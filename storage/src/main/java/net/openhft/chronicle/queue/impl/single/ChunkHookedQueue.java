package net.openhft.chronicle.queue.impl.single;

import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link SingleChronicleQueue} that hands each chunk of its cycle files to a hook as soon as the
 * chunk is mapped, before anything reads or writes it: the moment to advise the kernel about the
 * mapping (Millrace's use: {@code dev.millrace.storage.MappedPages#accessRandomly}).
 *
 * <p>It lives in Chronicle's package because the one place a queue makes the mapped file of a cycle,
 * {@code SingleChronicleQueue.mappedFile(File)}, is package-private; it uses nothing else of
 * Chronicle's internals. The hook runs inside Chronicle's mapping call, on the thread that maps.
 */
public final class ChunkHookedQueue extends SingleChronicleQueue {
    private static final ReferenceOwner OWNER = ReferenceOwner.temporary("millrace-chunk-hook");

    private final Consumer<MappedBytesStore> onMapped;

    private ChunkHookedQueue(SingleChronicleQueueBuilder builder, Consumer<MappedBytesStore> onMapped) {
        super(builder);
        this.onMapped = onMapped;
    }

    /** What {@code builder.build()} makes, with {@code onMapped} called for each chunk mapped. */
    public static SingleChronicleQueue build(SingleChronicleQueueBuilder builder, Consumer<MappedBytesStore> onMapped) {
        builder.preBuild();
        ChunkHookedQueue queue = new ChunkHookedQueue(builder, Objects.requireNonNull(onMapped));
        if (!builder.readOnly()) {
            queue.createAppenderCondition(Objects.requireNonNull(builder.createAppenderConditionCreator().apply(queue)));
        }
        return queue;
    }

    @Override
    MappedFile mappedFile(File file) throws FileNotFoundException {
        MappedFile mapped = super.mappedFile(file);
        // Chronicle calls the listener after mapping the chunk and before returning it to be used:
        // the chunk is already in the file's table, so acquiring it here finds it and maps nothing.
        mapped.setNewChunkListener((name, chunk, micros) -> {
            try {
                MappedBytesStore store = mapped.acquireByteStore(OWNER, chunk * mapped.chunkSize());
                try {
                    onMapped.accept(store);
                } finally {
                    store.release(OWNER);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return mapped;
    }
}
