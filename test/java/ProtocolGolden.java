// Kafka's own generated message classes (kafka-clients) as an independent source of wire bytes for
// the protocol tests (integration/protocol-golden.test.ts).
//
//   java ProtocolGolden golden     prints "<Name> <version> <hex>" for a handful of messages built here
//   java ProtocolGolden reencode   reads "<Class> <version> <hex>" lines from stdin, parses each with
//                                  org.apache.kafka.common.message.<Class> (e.g. MetadataRequestData,
//                                  ConsumerProtocolSubscription) and prints
//                                  "OK <hex of Java's re-serialization>" or "ERR <reason>"

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;

public final class ProtocolGolden {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] RECORDS = "not-really-a-record-batch".getBytes(StandardCharsets.UTF_8);
  private static final Uuid TOPIC_ID = new Uuid(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("golden")) golden();
    else if (args.length == 1 && args[0].equals("reencode")) reencode();
    else throw new IllegalArgumentException("usage: ProtocolGolden golden|reencode");
  }

  private static String hex(Message message, short version) {
    ByteBuffer buffer = MessageUtil.toByteBufferAccessor(message, version).buffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return HEX.formatHex(bytes);
  }

  private static void print(String name, int version, Message message) {
    System.out.println(name + " " + version + " " + hex(message, (short) version));
  }

  private static void golden() {
    for (int v : new int[] {0, 3, 4}) {
      ApiVersionsRequestData request = new ApiVersionsRequestData();
      if (v >= 3) request.setClientSoftwareName("kafkit-golden").setClientSoftwareVersion("1.2.3");
      print("ApiVersionsRequest", v, request);
    }
    for (int v : new int[] {0, 1, 3, 4}) print("ApiVersionsResponse", v, apiVersionsResponse(v));
    for (int v : new int[] {4, 9, 12}) print("MetadataRequest", v, metadataRequest(v));
    for (int v : new int[] {5, 9, 12, 13}) print("MetadataResponse", v, metadataResponse(v));
    for (int v : new int[] {3, 8, 9, 12, 13}) print("ProduceRequest", v, produceRequest(v));
    for (int v : new int[] {4, 11, 12, 16, 17}) print("FetchResponse", v, fetchResponse(v));
  }

  private static ApiVersionsResponseData apiVersionsResponse(int v) {
    ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
    keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 0).setMinVersion((short) 3).setMaxVersion((short) 13));
    keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 18).setMinVersion((short) 0).setMaxVersion((short) 4));
    ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode((short) 0).setApiKeys(keys);
    if (v >= 1) data.setThrottleTimeMs(5);
    if (v >= 3) {
      ApiVersionsResponseData.SupportedFeatureKeyCollection supported = new ApiVersionsResponseData.SupportedFeatureKeyCollection();
      supported.add(new ApiVersionsResponseData.SupportedFeatureKey().setName("metadata.version").setMinVersion((short) 1).setMaxVersion((short) 27));
      ApiVersionsResponseData.FinalizedFeatureKeyCollection finalized = new ApiVersionsResponseData.FinalizedFeatureKeyCollection();
      finalized.add(new ApiVersionsResponseData.FinalizedFeatureKey().setName("metadata.version").setMinVersionLevel((short) 27).setMaxVersionLevel((short) 27));
      data.setSupportedFeatures(supported).setFinalizedFeaturesEpoch(42L).setFinalizedFeatures(finalized);
      // a tag no release defines: it must survive our decode and re-encode
      data.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2, 3}));
    }
    return data;
  }

  private static MetadataRequestData metadataRequest(int v) {
    MetadataRequestData data = new MetadataRequestData();
    MetadataRequestData.MetadataRequestTopic topic = new MetadataRequestData.MetadataRequestTopic().setName("orders");
    if (v >= 10) topic.setTopicId(TOPIC_ID);
    data.setTopics(List.of(topic));
    if (v >= 4) data.setAllowAutoTopicCreation(false);
    if (v >= 8 && v <= 10) data.setIncludeClusterAuthorizedOperations(true);
    if (v >= 8) data.setIncludeTopicAuthorizedOperations(true);
    return data;
  }

  private static MetadataResponseData metadataResponse(int v) {
    MetadataResponseData.MetadataResponseBrokerCollection brokers = new MetadataResponseData.MetadataResponseBrokerCollection();
    brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("localhost").setPort(9092).setRack(null));
    brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(2).setHost("kafka-2").setPort(9093).setRack("rack-b"));
    MetadataResponseData.MetadataResponsePartition partition = new MetadataResponseData.MetadataResponsePartition()
        .setErrorCode((short) 0).setPartitionIndex(0).setLeaderId(1).setLeaderEpoch(5)
        .setReplicaNodes(List.of(1, 2)).setIsrNodes(List.of(1)).setOfflineReplicas(List.of(2));
    MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
        .setErrorCode((short) 0).setName("orders").setIsInternal(false).setPartitions(List.of(partition));
    if (v >= 10) topic.setTopicId(TOPIC_ID);
    if (v >= 8) topic.setTopicAuthorizedOperations(0x0ff8);
    MetadataResponseData.MetadataResponseTopicCollection topics = new MetadataResponseData.MetadataResponseTopicCollection();
    topics.add(topic);
    MetadataResponseData data = new MetadataResponseData().setThrottleTimeMs(3).setBrokers(brokers)
        .setClusterId("cluster-1").setControllerId(2).setTopics(topics);
    if (v >= 13) data.setErrorCode((short) 0);
    return data;
  }

  private static ProduceRequestData produceRequest(int v) {
    ProduceRequestData.PartitionProduceData partition = new ProduceRequestData.PartitionProduceData()
        .setIndex(2).setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(RECORDS)));
    ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setPartitionData(List.of(partition));
    if (v >= 13) topic.setTopicId(TOPIC_ID);
    else topic.setName("orders");
    ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
    topics.add(topic);
    return new ProduceRequestData().setTransactionalId(v >= 9 ? "txn-1" : null).setAcks((short) -1)
        .setTimeoutMs(30000).setTopicData(topics);
  }

  private static FetchResponseData fetchResponse(int v) {
    FetchResponseData.PartitionData partition = new FetchResponseData.PartitionData()
        .setPartitionIndex(0).setErrorCode((short) 0).setHighWatermark(100L).setLastStableOffset(90L)
        .setLogStartOffset(1L).setPreferredReadReplica(-1)
        .setAbortedTransactions(List.of(new FetchResponseData.AbortedTransaction().setProducerId(5L).setFirstOffset(10L)))
        .setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(RECORDS)));
    if (v >= 12) {
      partition.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(3).setEndOffset(50L));
      partition.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(1).setLeaderEpoch(2));
    }
    FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setPartitions(List.of(partition));
    if (v >= 13) topic.setTopicId(TOPIC_ID);
    else topic.setTopic("orders");
    FetchResponseData data = new FetchResponseData().setThrottleTimeMs(4).setResponses(List.of(topic));
    if (v >= 7) data.setErrorCode((short) 0).setSessionId(7);
    if (v >= 16) {
      FetchResponseData.NodeEndpointCollection endpoints = new FetchResponseData.NodeEndpointCollection();
      endpoints.add(new FetchResponseData.NodeEndpoint().setNodeId(1).setHost("kafka-1").setPort(9092).setRack("rack-a"));
      data.setNodeEndpoints(endpoints);
    }
    return data;
  }

  private static void reencode() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      String[] parts = line.split(" ", -1);
      try {
        Class<?> type = Class.forName("org.apache.kafka.common.message." + parts[0]);
        short version = Short.parseShort(parts[1]);
        ByteBuffer buffer = ByteBuffer.wrap(HEX.parseHex(parts[2]));
        Message message = (Message) type.getConstructor(Readable.class, short.class)
            .newInstance(new ByteBufferAccessor(buffer), version);
        if (buffer.hasRemaining()) {
          System.out.println("ERR " + buffer.remaining() + " unread bytes");
          continue;
        }
        System.out.println("OK " + hex(message, version));
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        System.out.println("ERR " + cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage()).replace('\n', ' '));
      }
    }
    System.out.flush();
  }

  private ProtocolGolden() {}
}
