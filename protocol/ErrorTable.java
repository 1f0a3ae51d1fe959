// Prints Kafka's error table from the kafka-clients jar on the classpath: one tab-separated line per
// org.apache.kafka.common.protocol.Errors value, ascending by code, after a header line. Facts only
// (code, name, the exception's class and kind); Kafka's message texts are left out, as the schema
// import leaves out Kafka's prose.
//
// Run by protocol/import.mjs with Java's single-file source launcher:
//   java -cp kafka-clients-<version>.jar protocol/ErrorTable.java

import java.util.Arrays;
import java.util.Comparator;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class ErrorTable {
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder("code\tname\tretriable\tinvalidMetadata\texception\n");
    Errors[] all = Errors.values();
    Arrays.sort(all, Comparator.comparingInt(Errors::code));
    for (Errors e : all) {
      Throwable ex = e.exception();
      out.append(e.code())
          .append('\t').append(e.name())
          .append('\t').append(ex instanceof RetriableException)
          .append('\t').append(ex instanceof InvalidMetadataException)
          .append('\t').append(ex == null ? "none" : ex.getClass().getSimpleName())
          .append('\n');
    }
    System.out.print(out);
  }
}
