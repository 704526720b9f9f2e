package dev.millrace.bench;

import dev.millrace.protocol.resp.RespDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * {@link RespDecoder} on what {@code redis-benchmark -t set,get -P 32} sends: one read of 32 pipelined
 * RESP arrays, SET and GET alternating on redis-benchmark's key and value, in a direct buffer as
 * Netty hands it over. The figure is per command (the batch divided by 32).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class RespDecoderBenchmark implements RespDecoder.CommandSink {
    private static final int PIPELINE = 32;
    /** Redis's defaults: proto-max-bulk-len 512mb, client-query-buffer-limit 1gb, no password. */
    private static final RespDecoder.Limits REDIS_DEFAULTS = new RespDecoder.Limits() {
        @Override
        public long maxBulkLength() {
            return 512L << 20;
        }

        @Override
        public long queryBufferLimit() {
            return 1L << 30;
        }

        @Override
        public boolean authRequired() {
            return false;
        }
    };

    private RespDecoder decoder;
    private ByteBuf batch;
    private int commands;
    private byte[][] last;

    @Setup(Level.Trial)
    public void setUp() {
        decoder = new RespDecoder(REDIS_DEFAULTS);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < PIPELINE; i += 2) {
            text.append("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$3\r\nxxx\r\n");
            text.append("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000000\r\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        batch = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        // A benchmark of a decoder that decodes wrongly would measure nothing worth knowing.
        if (decodeBatch() != RespDecoder.Result.NEED_MORE.ordinal() + PIPELINE
                || !Arrays.equals(last[1], "key:000000000000".getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalStateException("the batch did not decode into " + PIPELINE + " commands");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.release();
    }

    @Override
    public boolean command(byte[][] argv) {
        commands++;
        last = argv;
        return true;
    }

    /** @return the result's ordinal plus the commands decoded, so neither can be optimised away */
    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public int decodeBatch() {
        batch.readerIndex(0);
        commands = 0;
        return decoder.decode(batch, this).ordinal() + commands;
    }
}
