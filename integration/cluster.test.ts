// The harness itself: a three-node cluster starts, a killed node refuses connections while the
// others serve, and a restarted node comes back with its data and rejoins the replicas; a SASL
// listener accepts the configured users (checked with Kafka's own Java client tools).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateTopics } from '../src/protocol/generated/create-topics.js'
import { Metadata } from '../src/protocol/generated/metadata.js'
import {
  type KafkaTestCluster,
  probeApiVersions,
  probeBrokers,
  runKafkaTool,
  startKafka,
} from '../src/testing/index.js'
import { waitFor } from '../test/helpers/wait.js'
import { usesExternalCluster } from './helpers/brokers.js'
import { sendRawRequest } from './helpers/raw-request.js'

const TOPIC = 'harness-replicated'
// the versions every supported release (3.9 and 4.x) serves
const CREATE_TOPICS_VERSION = 7
const METADATA_VERSION = 12

// an external cluster means no JVM may be started here
const describeLocal = usesExternalCluster() ? describe.skip : describe
// starting and restarting JVMs on a small shared machine; the waits inside are for behaviour, this only bounds them
const SLOW = 180_000

describeLocal('a three-node cluster', () => {
  let cluster: KafkaTestCluster

  beforeAll(async () => {
    cluster = await startKafka({ nodes: 3 })
  }, SLOW)

  afterAll(async () => {
    await cluster?.stop()
  }, SLOW)

  const node = (id: number) => cluster.nodes.find((n) => n.id === id)!

  async function topicPartitions(broker: string) {
    const response = await sendRawRequest(
      broker,
      Metadata,
      METADATA_VERSION,
      Metadata.createRequest({
        topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: TOPIC }],
        allowAutoTopicCreation: false,
      }),
    )
    return response.topics[0]!.partitions
  }

  /** Polls until every partition of the topic has all three nodes in sync (a cluster behaviour, not a timing). */
  async function waitForFullIsr(broker: string): Promise<number[][]> {
    for (;;) {
      const partitions = await topicPartitions(broker)
      const isrs = partitions.map((p) => [...p.isrNodes].sort((a, b) => a - b))
      if (partitions.length === 3 && isrs.every((isr) => isr.length === 3)) return isrs
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  test(
    'every node answers ApiVersions and lists all three brokers',
    async () => {
      expect(cluster.brokers).toHaveLength(3)
      for (const n of cluster.nodes) {
        expect(n.running).toBe(true)
        const apis = await probeApiVersions(n.host, n.port)
        expect(apis.some((api) => api.apiKey === Metadata.apiKey)).toBe(true)
        const registered = (await probeBrokers(n.host, n.port)).map((b) => b.nodeId).sort((a, b) => a - b)
        expect(registered).toEqual([1, 2, 3])
      }
    },
    SLOW,
  )

  test(
    'a topic replicated to all three nodes can be created',
    async () => {
      const response = await sendRawRequest(
        cluster.brokers[0]!,
        CreateTopics,
        CREATE_TOPICS_VERSION,
        CreateTopics.createRequest({
          topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
          timeoutMs: 30_000,
        }),
      )
      expect(response.topics.map((t) => ({ name: t.name, errorCode: t.errorCode }))).toEqual([
        { name: TOPIC, errorCode: 0 },
      ])
      expect(await waitForFullIsr(cluster.brokers[0]!)).toEqual([
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ])
      // each replica creates its partition folder once it has applied the new topic's metadata
      await waitFor(() => existsSync(join(node(2).dataDir, `${TOPIC}-0`)), `node 2's folder of ${TOPIC}-0`, 60000, 100)
    },
    SLOW,
  )

  test(
    'killNode(2) makes its port refuse connections while the others still answer',
    async () => {
      const pid = node(2).pid
      await cluster.killNode(2)
      expect(node(2).running).toBe(false)
      expect(node(2).pid).toBeUndefined()
      expect(() => process.kill(pid!, 0)).toThrow()
      await expect(probeApiVersions(node(2).host, node(2).port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
      for (const id of [1, 3]) {
        await expect(probeApiVersions(node(id).host, node(id).port)).resolves.toEqual(expect.any(Array))
      }
    },
    SLOW,
  )

  test(
    'restartNode(2) brings it back on the same port with its data',
    async () => {
      const metaFile = join(node(2).dataDir, 'meta.properties')
      const metaBefore = readFileSync(metaFile, 'utf8')
      const port = node(2).port
      await cluster.restartNode(2)
      expect(node(2).running).toBe(true)
      expect(node(2).port).toBe(port)
      expect(readFileSync(metaFile, 'utf8')).toBe(metaBefore)
      expect(existsSync(join(node(2).dataDir, `${TOPIC}-0`))).toBe(true)
      await expect(probeApiVersions(node(2).host, port)).resolves.toEqual(expect.any(Array))
      // the restarted node knows the topic from its own metadata log and is back in every ISR
      expect(await waitForFullIsr(node(2).listeners.PLAINTEXT!)).toEqual([
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ])
    },
    SLOW,
  )

  test(
    'stop() ends every JVM and removes every folder',
    async () => {
      const nodes = cluster.nodes
      await cluster.stop()
      for (const n of nodes) {
        expect(() => process.kill(n.pid!, 0)).toThrow()
        expect(existsSync(n.dir)).toBe(false)
      }
    },
    SLOW,
  )
})

describeLocal('a SASL_PLAINTEXT listener', () => {
  let cluster: KafkaTestCluster
  let configDir: string

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'kafkit-sasl-test-'))
    cluster = await startKafka({
      security: { listeners: ['SASL_PLAINTEXT'], users: [{ username: 'alice', password: 'alice-secret' }] },
    })
  }, SLOW)

  afterAll(async () => {
    await cluster?.stop()
    rmSync(configDir, { recursive: true, force: true })
  }, SLOW)

  /** TopicCommand --list through the SASL listener, as the Java client logs in with these credentials. */
  async function listTopicsAs(mechanism: string, password: string) {
    const module = mechanism === 'PLAIN' ? 'plain.PlainLoginModule' : 'scram.ScramLoginModule'
    const file = join(configDir, `${mechanism}-${password}.properties`)
    writeFileSync(
      file,
      [
        'security.protocol=SASL_PLAINTEXT',
        `sasl.mechanism=${mechanism}`,
        `sasl.jaas.config=org.apache.kafka.common.security.${module} required username="alice" password="${password}";`,
        '',
      ].join('\n'),
    )
    const bootstrap = cluster.listeners.SASL_PLAINTEXT!.join(',')
    return runKafkaTool('org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      bootstrap,
      '--command-config',
      file,
      '--list',
    ])
  }

  test.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])(
    '%s accepts the configured user',
    async (mechanism) => {
      const result = await listTopicsAs(mechanism, 'alice-secret')
      // The Java client warns while a listener it reaches first is not accepting yet (seen on a loaded
      // machine) and then logs in; what counts is that it logged in and nothing else went wrong
      const stderr = result.stderr
        .split('\n')
        .filter((line) => line !== '' && !/WARN .*could not be established/.test(line))
      expect({ exitCode: result.exitCode, stderr }).toEqual({ exitCode: 0, stderr: [] })
    },
    SLOW,
  )

  test(
    'a wrong password is refused',
    async () => {
      const result = await listTopicsAs('SCRAM-SHA-256', 'not-the-secret')
      expect(result.exitCode).not.toBe(0)
      expect(result.stderr).toMatch(/SaslAuthenticationException/)
    },
    SLOW,
  )
})
