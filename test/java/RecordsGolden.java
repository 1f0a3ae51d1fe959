// Writes test/fixtures/records/java-golden.json: record batches built by Kafka's own Java client
// (MemoryRecords / MemoryRecordsBuilder from kafka-clients) together with what Java decodes from
// them. The record tests compare our encoder's bytes with the uncompressed ones and decode all of
// them, compressed and legacy (magic 0/1) included. Regenerate with test/java/records-golden.sh.

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

public class RecordsGolden {
    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static SimpleRecord[] records(boolean withHeaders, boolean large) {
        List<SimpleRecord> list = new ArrayList<>();
        Header[] h0 = withHeaders
            ? new Header[] {new RecordHeader("h1", utf8("v1")), new RecordHeader("h-null", null)}
            : new Header[0];
        Header[] h1 = withHeaders ? new Header[] {new RecordHeader("ünicode-ключ", utf8("x"))} : new Header[0];
        list.add(new SimpleRecord(1700000000000L, utf8("key-0"), utf8("value-0"), h0));
        list.add(new SimpleRecord(1700000000005L, null, utf8("value-1 ü"), h1));
        list.add(new SimpleRecord(1699999999990L, utf8("k2"), null, new Header[0]));
        list.add(new SimpleRecord(1700000000010L, new byte[0], new byte[0], new Header[0]));
        if (large) {
            // 100 000 bytes: several LZ4 (64 KiB) and Snappy (32 KiB) blocks, compressible but not trivially
            byte[] big = new byte[100000];
            for (int i = 0; i < big.length; i++) big[i] = (byte) ("kafkit-".charAt(i % 7) + (i / 1000) % 5);
            list.add(new SimpleRecord(1700000000020L, utf8("big"), big, new Header[0]));
        }
        return list.toArray(new SimpleRecord[0]);
    }

    private static String hex(ByteBuffer b) {
        if (b == null) return null;
        ByteBuffer d = b.duplicate();
        StringBuilder sb = new StringBuilder();
        while (d.hasRemaining()) sb.append(String.format("%02x", d.get() & 0xff));
        return sb.toString();
    }

    // Large values are described by length and SHA-256 so the fixture stays small.
    private static String valueField(ByteBuffer value) {
        if (value == null || value.remaining() <= 256) return "\"value\": " + str(hex(value));
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(value.duplicate());
            return "\"valueLength\": " + value.remaining() + ", \"valueSha256\": " + str(hex(ByteBuffer.wrap(sha.digest())));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String str(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static String describe(String name, String note, MemoryRecords records) {
        StringBuilder sb = new StringBuilder();
        sb.append("    {\n      \"name\": ").append(str(name)).append(",\n");
        sb.append("      \"note\": ").append(str(note)).append(",\n");
        sb.append("      \"hex\": ").append(str(hex(records.buffer()))).append(",\n");
        sb.append("      \"batches\": [\n");
        boolean firstBatch = true;
        for (RecordBatch batch : records.batches()) {
            batch.ensureValid();
            if (!firstBatch) sb.append(",\n");
            firstBatch = false;
            sb.append("        {\"magic\": ").append(batch.magic())
                .append(", \"baseOffset\": \"").append(batch.baseOffset())
                .append("\", \"lastOffset\": \"").append(batch.lastOffset())
                .append("\", \"sizeInBytes\": ").append(batch.sizeInBytes())
                .append(", \"crc\": ").append(batch.checksum())
                .append(", \"compression\": ").append(batch.compressionType().id)
                .append(", \"timestampType\": ").append(batch.timestampType().id)
                .append(", \"maxTimestamp\": \"").append(batch.maxTimestamp())
                .append("\", \"isTransactional\": ").append(batch.isTransactional())
                .append(", \"isControlBatch\": ").append(batch.isControlBatch())
                .append(", \"producerId\": \"").append(batch.producerId())
                .append("\", \"producerEpoch\": ").append(batch.producerEpoch())
                .append(", \"baseSequence\": ").append(batch.baseSequence())
                .append(", \"partitionLeaderEpoch\": ").append(batch.partitionLeaderEpoch())
                .append(",\n         \"records\": [");
            boolean firstRecord = true;
            for (Record r : batch) {
                if (!firstRecord) sb.append(",");
                firstRecord = false;
                sb.append("\n          {\"offset\": \"").append(r.offset())
                    .append("\", \"timestamp\": \"").append(r.timestamp())
                    .append("\", \"key\": ").append(str(hex(r.key())))
                    .append(", ").append(valueField(r.value()))
                    .append(", \"headers\": [");
                boolean firstHeader = true;
                for (Header h : r.headers()) {
                    if (!firstHeader) sb.append(", ");
                    firstHeader = false;
                    sb.append("{\"key\": ").append(str(h.key())).append(", \"value\": ")
                        .append(str(h.value() == null ? null : hex(ByteBuffer.wrap(h.value())))).append("}");
                }
                sb.append("]}");
            }
            sb.append("]}");
        }
        sb.append("\n      ]\n    }");
        return sb.toString();
    }

    private static MemoryRecords logAppendTime() {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.MAGIC_VALUE_V2, Compression.NONE,
            TimestampType.LOG_APPEND_TIME, 0L, 1700000009999L, -1L, (short) -1, -1, false, -1);
        for (SimpleRecord r : records(true, false)) builder.append(r);
        return builder.build();
    }

    public static void main(String[] args) {
        List<String> cases = new ArrayList<>();
        byte v2 = RecordBatch.MAGIC_VALUE_V2;
        TimestampType create = TimestampType.CREATE_TIME;
        cases.add(describe("v2-none-plain", "withRecords(magic 2, offset 0, none, CreateTime, no producer)",
            MemoryRecords.withRecords(v2, 0L, Compression.NONE, create, -1L, (short) -1, -1, -1, false, records(true, false))));
        cases.add(describe("v2-none-idempotent", "offset 100, producerId 12345, epoch 3, sequence 42, leader epoch 7",
            MemoryRecords.withRecords(v2, 100L, Compression.NONE, create, 12345L, (short) 3, 42, 7, false, records(true, false))));
        cases.add(describe("v2-none-transactional", "offset 5, producerId 999, epoch 1, sequence 0, leader epoch 2, transactional",
            MemoryRecords.withRecords(v2, 5L, Compression.NONE, create, 999L, (short) 1, 0, 2, true, records(true, false))));
        cases.add(describe("v2-none-log-append-time", "LogAppendTime 1700000009999", logAppendTime()));
        cases.add(describe("v2-control-commit", "withEndTransactionMarker(offset 50, ts 1700000000123, leader epoch 4, producerId 999, epoch 1, COMMIT, coordinatorEpoch 17)",
            MemoryRecords.withEndTransactionMarker(50L, 1700000000123L, 4, 999L, (short) 1, new EndTransactionMarker(ControlRecordType.COMMIT, 17))));
        cases.add(describe("v2-control-abort", "withEndTransactionMarker(offset 51, ts 1700000000124, leader epoch 4, producerId 999, epoch 1, ABORT, coordinatorEpoch 18)",
            MemoryRecords.withEndTransactionMarker(51L, 1700000000124L, 4, 999L, (short) 1, new EndTransactionMarker(ControlRecordType.ABORT, 18))));
        String[] codecs = {"gzip", "snappy", "lz4", "zstd"};
        for (String codec : codecs) {
            cases.add(describe("v2-" + codec, "withRecords(magic 2, offset 0, " + codec + ", CreateTime) with a 100000-byte value",
                MemoryRecords.withRecords(v2, 0L, Compression.of(codec).build(), create, -1L, (short) -1, -1, -1, false, records(true, true))));
        }
        for (byte magic : new byte[] {RecordBatch.MAGIC_VALUE_V0, RecordBatch.MAGIC_VALUE_V1}) {
            cases.add(describe("v" + magic + "-none", "withRecords(magic " + magic + ", offset 20, none)",
                MemoryRecords.withRecords(magic, 20L, Compression.NONE, create, records(false, false))));
            for (String codec : new String[] {"gzip", "snappy", "lz4"}) {
                cases.add(describe("v" + magic + "-" + codec, "withRecords(magic " + magic + ", offset 20, " + codec + ") with a 100000-byte value",
                    MemoryRecords.withRecords(magic, 20L, Compression.of(codec).build(), create, records(false, true))));
            }
        }
        StringBuilder out = new StringBuilder("{\n  \"source\": \"kafka-clients ");
        out.append(org.apache.kafka.common.utils.AppInfoParser.getVersion()).append(" MemoryRecords\",\n  \"cases\": [\n");
        out.append(String.join(",\n", cases));
        out.append("\n  ]\n}\n");
        System.out.print(out);
    }
}
