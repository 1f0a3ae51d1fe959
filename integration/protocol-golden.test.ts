// Wire bytes checked against Kafka's own generated message classes from the kafka-clients jar of the
// pinned release (test/java/ProtocolGolden.java, compiled here with javac):
// - messages Java builds decode with our decoders and re-encode to Java's exact bytes;
// - for every API, every version and every embedded structure, values our encoders write are read
//   by Java and written back by Java to the same bytes.
// Needs a JDK and Maven (or a cached jar), not a broker.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as generated from '../src/protocol/generated/index.js'
import {
  ApiVersions,
  allApis,
  allEmbeddedStructures,
  Fetch,
  Metadata,
  Produce,
} from '../src/protocol/generated/index.js'
import { Reader } from '../src/protocol/primitives/reader.js'
import { apiCodec, encodeWith } from '../test/protocol/api-codec.js'
import { loadSchema, Random, ValueFactory } from '../test/protocol/schema-values.js'

const root = join(__dirname, '..')
let workDir = ''
let classpath = ''

function java(mode: string, input?: string): string[] {
  const result = spawnSync('java', ['-cp', classpath, 'ProtocolGolden', mode], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`ProtocolGolden ${mode} failed: ${result.stderr}`)
  return result.stdout.split('\n').filter((l) => l.length > 0)
}

beforeAll(() => {
  const jar = execFileSync('node', [join(root, 'protocol/import.mjs'), '--jar-path'], { encoding: 'utf8' }).trim()
  workDir = mkdtempSync(join(tmpdir(), 'kafkit-golden-'))
  execFileSync('javac', ['-d', workDir, '-cp', jar, join(root, 'test/java/ProtocolGolden.java')])
  classpath = `${workDir}:${jar}`
})

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

const TOPIC_ID = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex').toString('base64url')
const RECORDS = Buffer.from('not-really-a-record-batch')

describe('messages built by Kafka', () => {
  let golden: { name: string; version: number; bytes: Buffer }[] = []
  beforeAll(() => {
    golden = java('golden').map((line) => {
      const [name, version, hex] = line.split(' ')
      return { name: name!, version: Number(version), bytes: Buffer.from(hex ?? '', 'hex') }
    })
  })

  function decoded(name: string, version: number): unknown {
    const entry = golden.find((g) => g.name === name && g.version === version)
    if (!entry) throw new Error(`no golden ${name} v${version}`)
    const side = name.endsWith('Request') ? 'Request' : 'Response'
    const api = allApis.find((a) => a.name === name.slice(0, -side.length))!
    const c = apiCodec(api, side)
    const r = new Reader(entry.bytes)
    const value = c.read(r, version)
    expect(r.remaining()).toBe(0)
    // our encoding of what we decoded is Java's encoding, byte for byte
    const again = encodeWith(c, value, version)
    expect(again.toString('hex')).toBe(entry.bytes.toString('hex'))
    return value
  }

  it('decodes and re-encodes every golden message', () => {
    expect(golden.length).toBeGreaterThan(15)
    for (const g of golden) decoded(g.name, g.version)
  })

  it('ApiVersionsResponse, classic and flexible, with tagged and unknown tagged fields', () => {
    expect(decoded('ApiVersionsResponse', 0)).toStrictEqual(
      ApiVersions.createResponse({
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 13 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
      }),
    )
    expect(decoded('ApiVersionsResponse', 3)).toStrictEqual(
      ApiVersions.createResponse({
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 13 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        throttleTimeMs: 5,
        supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 27 }],
        finalizedFeaturesEpoch: 42n,
        finalizedFeatures: [{ name: 'metadata.version', maxVersionLevel: 27, minVersionLevel: 27 }],
        _unknownTaggedFields: [{ tag: 7, data: Buffer.from([1, 2, 3]) }],
      }),
    )
  })

  it('ApiVersionsRequest', () => {
    expect(decoded('ApiVersionsRequest', 0)).toStrictEqual(ApiVersions.createRequest())
    expect(decoded('ApiVersionsRequest', 3)).toStrictEqual(
      ApiVersions.createRequest({ clientSoftwareName: 'kafkit-golden', clientSoftwareVersion: '1.2.3' }),
    )
  })

  it('MetadataRequest and MetadataResponse', () => {
    expect(decoded('MetadataRequest', 12)).toStrictEqual(
      Metadata.createRequest({
        topics: [{ topicId: TOPIC_ID, name: 'orders' }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: true,
      }),
    )
    const brokers = [
      { nodeId: 1, host: 'localhost', port: 9092, rack: null },
      { nodeId: 2, host: 'kafka-2', port: 9093, rack: 'rack-b' },
    ]
    const partition = {
      errorCode: 0,
      partitionIndex: 0,
      leaderId: 1,
      leaderEpoch: 5,
      replicaNodes: [1, 2],
      isrNodes: [1],
      offlineReplicas: [2],
    }
    expect(decoded('MetadataResponse', 12)).toStrictEqual(
      Metadata.createResponse({
        throttleTimeMs: 3,
        brokers,
        clusterId: 'cluster-1',
        controllerId: 2,
        topics: [
          {
            errorCode: 0,
            name: 'orders',
            topicId: TOPIC_ID,
            isInternal: false,
            partitions: [partition],
            topicAuthorizedOperations: 0x0ff8,
          },
        ],
      }),
    )
  })

  it('ProduceRequest, before and after topic ids', () => {
    expect(decoded('ProduceRequest', 3)).toStrictEqual(
      Produce.createRequest({
        acks: -1,
        timeoutMs: 30000,
        topicData: [
          generated.createProduceRequestTopicProduceData({
            name: 'orders',
            partitionData: [{ index: 2, records: RECORDS }],
          }),
        ],
      }),
    )
    expect(decoded('ProduceRequest', 13)).toStrictEqual(
      Produce.createRequest({
        transactionalId: 'txn-1',
        acks: -1,
        timeoutMs: 30000,
        topicData: [
          generated.createProduceRequestTopicProduceData({
            topicId: TOPIC_ID,
            partitionData: [{ index: 2, records: RECORDS }],
          }),
        ],
      }),
    )
  })

  it('FetchResponse with tagged structs and node endpoints', () => {
    const value = decoded('FetchResponse', 16) as generated.FetchResponse
    expect(value.throttleTimeMs).toBe(4)
    expect(value.sessionId).toBe(7)
    expect(value.nodeEndpoints).toStrictEqual([{ nodeId: 1, host: 'kafka-1', port: 9092, rack: 'rack-a' }])
    const topic = value.responses[0]!
    expect(topic.topicId).toBe(TOPIC_ID)
    const p = topic.partitions[0]!
    expect(p.highWatermark).toBe(100n)
    expect(p.lastStableOffset).toBe(90n)
    expect(p.abortedTransactions).toStrictEqual([{ producerId: 5n, firstOffset: 10n }])
    expect(p.divergingEpoch).toStrictEqual({ epoch: 3, endOffset: 50n })
    expect(p.currentLeader).toStrictEqual({ leaderId: 1, leaderEpoch: 2 })
    expect(p.records).toStrictEqual(RECORDS)
    const v4 = decoded('FetchResponse', 4) as generated.FetchResponse
    expect(v4.responses[0]!.topic).toBe('orders')
    expect(v4.responses[0]!.partitions[0]!.divergingEpoch).toStrictEqual(generated.createFetchResponseEpochEndOffset())
    expect(Fetch.responseHeaderVersion(16)).toBe(1)
  })
})

describe('Java reads what we write', () => {
  interface Case {
    label: string
    javaClass: string
    version: number
    bytes: Buffer
  }

  function apiCases(): Case[] {
    const cases: Case[] = []
    for (const api of allApis) {
      for (const side of ['Request', 'Response'] as const) {
        const name = `${api.name}${side}`
        const values = new ValueFactory(
          loadSchema(name),
          name,
          new Random(api.apiKey * 7919 + (side === 'Request' ? 1 : 2)),
        )
        const c = apiCodec(api, side)
        for (let v = api.minVersion; v <= api.latestVersion; v++) {
          for (let i = 0; i < 2; i++) {
            const value = values.root(v)
            cases.push({
              label: `${name} v${v}`,
              javaClass: `${name}Data`,
              version: v,
              bytes: encodeWith(c, value, v),
            })
          }
        }
      }
    }
    return cases
  }

  function embeddedCases(): Case[] {
    const cases: Case[] = []
    expect(allEmbeddedStructures.length).toBe(10)
    for (const def of allEmbeddedStructures) {
      const values = new ValueFactory(loadSchema(def.name), def.name, new Random(def.name.length))
      for (let v = def.minVersion; v <= def.maxVersion; v++) {
        for (let i = 0; i < 2; i++) {
          const value = values.root(v)
          cases.push({
            label: `${def.name} v${v}`,
            javaClass: def.name,
            version: v,
            bytes: encodeWith(def, value, v),
          })
        }
      }
    }
    return cases
  }

  it('parses and re-serializes every API at every version to our exact bytes', () => {
    const cases = [...apiCases(), ...embeddedCases()]
    const input = cases.map((c) => `${c.javaClass} ${c.version} ${c.bytes.toString('hex')}`).join('\n')
    const output = java('reencode', `${input}\n`)
    expect(output).toHaveLength(cases.length)
    const mismatches: string[] = []
    cases.forEach((c, i) => {
      const line = output[i]!
      const expected = `OK ${c.bytes.toString('hex')}`
      if (line !== expected)
        mismatches.push(`${c.label}: ${line.slice(0, 200)} (ours ${c.bytes.toString('hex').slice(0, 200)})`)
    })
    expect(mismatches).toStrictEqual([])
  })
})
