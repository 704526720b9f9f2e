package dev.millrace.bench;

import dev.millrace.engine.keyspace.Record;
import dev.millrace.protocol.resp.RespDecoder;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each benchmark's operation does what its Javadoc says, called directly (no JMH run, so mvn verify
 * stays quick): a benchmark that silently measured something else would be worse than none.
 */
class BenchmarksTest {

    @Test
    void decoderDecodesTheWholeBatchEveryTime() {
        RespDecoderBenchmark benchmark = new RespDecoderBenchmark();
        benchmark.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(RespDecoder.Result.NEED_MORE.ordinal() + 32, benchmark.decodeBatch());
            }
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void writerEncodesEachReplyInFull() {
        for (String allocator : new String[] {"default", "pooled", "unpooled"}) {
            RespWriterBenchmark benchmark = new RespWriterBenchmark();
            benchmark.allocator = allocator;
            benchmark.setUp();
            assertEquals("$3\r\nxxx\r\n".length(), benchmark.bulk(), allocator);
            assertEquals(":1000000\r\n".length(), benchmark.integer(), allocator);
            assertEquals(":1000001\r\n".length(), benchmark.integer(), allocator);
            assertEquals(32 * "$3\r\nxxx\r\n".length(), benchmark.bulkPipelined(), allocator);
            assertEquals("*100\r\n".length() + 100 * "$3\r\nxxx\r\n".length(), benchmark.array100(), allocator);
        }
    }

    @Test
    void keyspaceReadsFindEveryKeyWithItsValueAcrossOverwrites() throws IOException {
        KeyspaceBenchmark benchmark = new KeyspaceBenchmark();
        benchmark.keys = 1000;
        benchmark.valueSize = 1024;
        benchmark.setUp();
        try {
            for (int i = 0; i < 2 * benchmark.keys; i++) {
                Record read = Record.decode(i % 2 == 0 ? benchmark.storeGet() : benchmark.keyspaceLookupRead());
                assertEquals(1024, read.payload().length);
                benchmark.storePut();
                benchmark.keyspacePutEncoded();
            }
        } finally {
            benchmark.tearDown();
        }
    }
}
