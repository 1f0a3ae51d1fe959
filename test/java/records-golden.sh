#!/usr/bin/env bash
# Regenerates test/fixtures/records/java-golden.json with Kafka's Java client.
# Usage: test/java/records-golden.sh [kafka-clients version, default 4.3.1]
# Needs javac/java and Maven; the jars are cached under ~/.cache/kafkit/records-golden-<version>.
set -euo pipefail
version="${1:-4.3.1}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
libs="${HOME}/.cache/kafkit/records-golden-${version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -f "$libs/kafka-clients-${version}.jar" ]; then
  mkdir -p "$libs"
  cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>kafkit</groupId><artifactId>records-golden</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -f "$work/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
fi
javac -encoding UTF-8 -cp "$libs/*" -d "$work" "$root/test/java/RecordsGolden.java"
java -cp "$work:$libs/*" RecordsGolden > "$root/test/fixtures/records/java-golden.json"
echo "wrote test/fixtures/records/java-golden.json"
