package dev.millrace.bench;

import dev.millrace.protocol.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * {@link RespWriter} encoding the replies of the benchmark table's commands (RESP2): a bulk string
 * (GET), an integer past the cached small ones (INCR), 32 bulk strings taken at once (a pipelined GET
 * batch) and a 100-element array of bulk strings (LRANGE_100). Each operation ends with the take the
 * server does before a flush, and releases what it took.
 *
 * <p>{@code allocator}: {@code default} is Netty's default, which a connection's writer gets from its
 * channel; {@code -p allocator=pooled,unpooled} compares it with the other two. JMH's thread is not a
 * Netty event-loop thread, so allocators that cache per event-loop thread may cost more here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class RespWriterBenchmark {
    private static final int PIPELINE = 32;
    private static final byte[] VALUE = "xxx".getBytes(StandardCharsets.US_ASCII);

    @Param("default")
    public String allocator;

    private final byte[][] elements = new byte[100][];
    private RespWriter writer;
    private long counter = 1_000_000;

    @Setup(Level.Trial)
    public void setUp() {
        ByteBufAllocator buffers = switch (allocator) {
            case "default" -> ByteBufAllocator.DEFAULT;
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            case "unpooled" -> UnpooledByteBufAllocator.DEFAULT;
            default -> throw new IllegalArgumentException("allocator: default, pooled or unpooled, not " + allocator);
        };
        // RESP2; no flush to schedule.
        writer = new RespWriter(buffers, () -> 2, () -> { });
        Arrays.fill(elements, VALUE);
    }

    @Benchmark
    public int bulk() {
        writer.bulk(VALUE);
        return take();
    }

    @Benchmark
    public int integer() {
        writer.integer(counter++);
        return take();
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public int bulkPipelined() {
        for (int i = 0; i < PIPELINE; i++) {
            writer.bulk(VALUE);
        }
        return take();
    }

    @Benchmark
    public int array100() {
        writer.array(elements.length);
        for (byte[] element : elements) {
            writer.bulk(element);
        }
        return take();
    }

    /** The encoded length, read before the buffer goes back to the allocator. */
    private int take() {
        ByteBuf out = writer.take();
        int length = out.readableBytes();
        out.release();
        return length;
    }
}
