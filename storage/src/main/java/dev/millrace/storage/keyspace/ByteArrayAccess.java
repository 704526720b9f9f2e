package dev.millrace.storage.keyspace;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.AbstractData;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.serialization.DataAccess;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * How the keyspace map sees a {@code byte[]} key or value, without allocating. Chronicle's own
 * {@code ByteArrayDataAccess} wraps every array in a new reference-counted {@code HeapBytesStore} on
 * every lookup and write (measured: about a tenth of an INCR's time); this one hashes, compares and
 * copies the array directly. The bytes it produces, and so the hashes, segments and entries of the
 * map, are exactly those of Chronicle's access (ByteArrayAccessTest checks both).
 *
 * <p>{@link #bytes()} still works for any caller that asks for a {@code RandomDataInput}: it then
 * wraps the array once per {@link #getData}. Chronicle Map copies a DataAccess per query context
 * ({@link #copy}), so an instance is only ever used by one thread at a time. Stateless on disk: the
 * map's header records only this class's name.
 */
public final class ByteArrayAccess extends AbstractData<byte[]> implements DataAccess<byte[]> {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private transient byte[] array;
    /** The array as a BytesStore, made only when a caller asks for {@link #bytes()}. */
    private transient BytesStore<?, byte[]> wrapped;

    @Override
    public Data<byte[]> getData(byte[] instance) {
        array = instance;
        wrapped = null;
        return this;
    }

    @Override
    public void uninit() {
        array = null;
        wrapped = null;
    }

    @Override
    public DataAccess<byte[]> copy() {
        return new ByteArrayAccess();
    }

    @Override
    public RandomDataInput bytes() {
        if (wrapped == null) {
            wrapped = BytesStore.wrap(array);
        }
        return wrapped;
    }

    @Override
    public long offset() {
        return ((BytesStore<?, ?>) bytes()).start();
    }

    @Override
    public long size() {
        return array.length;
    }

    @Override
    public long hash(LongHashFunction f) {
        return f.hashBytes(array);
    }

    @Override
    public boolean equivalent(RandomDataInput source, long sourceOffset) {
        byte[] a = array;
        int i = 0;
        // Word at a time: Chronicle reads memory in native order, so the array view uses it too.
        for (; i <= a.length - Long.BYTES; i += Long.BYTES) {
            if (source.readLong(sourceOffset + i) != (long) LONGS.get(a, i)) {
                return false;
            }
        }
        for (; i < a.length; i++) {
            if (source.readByte(sourceOffset + i) != a[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void writeTo(RandomDataOutput target, long targetOffset) {
        target.write(targetOffset, array, 0, array.length);
    }

    @Override
    public byte[] get() {
        return array;
    }

    @Override
    public byte[] getUsing(byte[] using) {
        if (using == null || using.length != array.length) {
            using = new byte[array.length];
        }
        System.arraycopy(array, 0, using, 0, array.length);
        return using;
    }

    /** Nothing to persist: the map's header names the class and that is all it needs. */
    @Override
    public void writeMarshallable(WireOut wire) {
    }

    /** Read from a map's header: starts unbound, as a fresh instance does. */
    @Override
    public void readMarshallable(WireIn wire) {
        uninit();
    }
}
