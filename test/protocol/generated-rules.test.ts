// The rules every generated API follows beyond plain round trips: fields a version cannot carry,
// unknown tagged fields, header versions and routing, the registry, and framing.

import { KafkaJSInvalidArgumentError, KafkaJSUnsupportedFieldError } from '../../src/errors.js'
import type { AnyApiDefinition } from '../../src/protocol/api.js'
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/frame.js'
import {
  ApiVersions,
  allApis,
  apisByKey,
  CreateTopics,
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  Fetch,
  FindCoordinator,
  InitProducerId,
  JoinGroup,
  Metadata,
  Produce,
} from '../../src/protocol/generated/index.js'
import { protocolValuesEqual } from '../../src/protocol/primitives/codec.js'
import { Reader } from '../../src/protocol/primitives/reader.js'
import { apiCodec, encodeWith } from './api-codec.js'
import { camel, inRange, loadSchema, Random, type SchemaField, ValueFactory } from './schema-values.js'

function firstVersionCarrying(f: SchemaField, api: AnyApiDefinition): number | undefined {
  for (let v = api.minVersion; v <= api.latestVersion; v++) if (inRange(f.versions, v)) return v
  return undefined
}

describe('a field the chosen version cannot carry', () => {
  const checked = { unsupported: 0, ignored: 0 }
  afterAll(() => {
    // the schemas have plenty of both kinds: make sure the loops below saw them
    expect(checked.unsupported).toBeGreaterThan(50)
    expect(checked.ignored).toBeGreaterThan(50)
  })

  it.each(allApis.map((api) => [api.name, api] as const))(
    '%s: throws when not ignorable, drops it otherwise',
    (name, api) => {
      for (const side of ['Request', 'Response'] as const) {
        const schema = loadSchema(`${name}${side}`)
        const values = new ValueFactory(schema, `${name}${side}`, new Random(api.apiKey + 1))
        const c = apiCodec(api, side)
        for (const f of schema.fields) {
          const carrying = firstVersionCarrying(f, api)
          if (carrying === undefined) continue
          const prop = camel(f.name)
          for (let v = api.minVersion; v <= api.latestVersion; v++) {
            if (inRange(f.versions, v)) continue
            const value = c.create()
            let fieldValue = f.type === 'bool' ? !value[prop] : values.nonNullValue(f, carrying)
            for (let i = 0; i < 5 && protocolValuesEqual(fieldValue, value[prop]); i++) {
              fieldValue = values.nonNullValue(f, carrying)
            }
            expect(protocolValuesEqual(fieldValue, value[prop])).toBe(false)
            value[prop] = fieldValue
            if (f.ignorable) {
              const back = c.read(new Reader(encodeWith(c, value, v)), v)
              expect(back[prop]).toStrictEqual(c.create()[prop])
              checked.ignored++
            } else {
              let thrown: unknown
              try {
                c.size(value, v)
              } catch (err) {
                thrown = err
              }
              expect(thrown).toBeInstanceOf(KafkaJSUnsupportedFieldError)
              expect(thrown).toMatchObject({
                apiName: name,
                field: prop,
                version: v,
                kafkitCode: 'ERR_UNSUPPORTED_FIELD',
              })
              checked.unsupported++
            }
          }
        }
      }
    },
  )

  it('names the nested struct and field', () => {
    const request = Fetch.createRequest({
      topics: [
        createFetchRequestFetchTopic({
          topic: 't',
          partitions: [createFetchRequestFetchPartition({ lastFetchedEpoch: 5 })],
        }),
      ],
    })
    expect(() => Fetch.sizeRequest(request, 12)).not.toThrow()
    expect(() => Fetch.sizeRequest(request, 11)).toThrow(
      expect.objectContaining({ apiName: 'Fetch', field: 'FetchPartition.lastFetchedEpoch', version: 11 }),
    )
  })

  it('accepts a field left at its default in every version', () => {
    const request = JoinGroup.createRequest({ groupId: 'g', memberId: '' })
    for (let v = JoinGroup.minVersion; v <= JoinGroup.maxVersion; v++)
      expect(() => JoinGroup.sizeRequest(request, v)).not.toThrow()
    const withInstance = JoinGroup.createRequest({ groupInstanceId: 'instance-1' })
    expect(() => JoinGroup.sizeRequest(withInstance, 4)).toThrow(KafkaJSUnsupportedFieldError)
    expect(() => JoinGroup.sizeRequest(withInstance, 5)).not.toThrow()
  })

  it('rejects null where the version has no null form', () => {
    // Metadata topics became nullable (all topics) in v1
    const all = Metadata.createRequest({ topics: null })
    expect(() => Metadata.sizeRequest(all, 1)).not.toThrow()
    expect(() => Metadata.sizeRequest(all, 0)).toThrow(KafkaJSInvalidArgumentError)
  })

  it('rejects versions the schema does not define', () => {
    expect(() => Produce.sizeRequest(Produce.createRequest(), 2)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => Produce.readResponse(new Reader(Buffer.alloc(8)), Produce.latestVersion + 1)).toThrow(
      KafkaJSInvalidArgumentError,
    )
  })
})

describe('unknown tagged fields', () => {
  const flexible = allApis.flatMap((api) => {
    const out: [string, number, AnyApiDefinition][] = []
    for (
      let v = Math.max(api.minVersion, api.firstFlexibleVersion);
      api.firstFlexibleVersion >= 0 && v <= api.latestVersion;
      v++
    ) {
      out.push([api.name, v, api])
    }
    return out
  })

  it.each(flexible)('%s v%i: survive a round trip on the root and on nested structs', (name, v, api) => {
    for (const side of ['Request', 'Response'] as const) {
      const values = new ValueFactory(loadSchema(`${name}${side}`), `${name}${side}`, new Random(v + 3))
      const c = apiCodec(api, side)
      const value = values.root(v)
      const nested = Object.values(value).find((x) => Array.isArray(x) && x.length > 0 && typeof x[0] === 'object')
      value._unknownTaggedFields = [
        { tag: 90, data: Buffer.from([1, 2, 3]) },
        { tag: 1000, data: Buffer.alloc(0) },
      ]
      if (Array.isArray(nested))
        (nested[0] as Record<string, unknown>)._unknownTaggedFields = [{ tag: 77, data: Buffer.from('x') }]
      const back = c.read(new Reader(encodeWith(c, value, v)), v)
      expect(back).toStrictEqual(value)
    }
  })

  it('are written after the known ones in ascending tag order', () => {
    const response = ApiVersions.createResponse({
      finalizedFeaturesEpoch: 9n,
      zkMigrationReady: true,
      _unknownTaggedFields: [
        { tag: 5, data: Buffer.from([0xaa]) },
        { tag: 300, data: Buffer.from([0xbb, 0xcc]) },
      ],
    })
    const bytes = encodeWith(apiCodec(ApiVersions, 'Response'), response, 3)
    // error code, empty compact array, throttle time, then the tagged section
    const r = new Reader(bytes, 2 + 1 + 4)
    const tags: number[] = []
    for (let n = r.unsignedVarint(); n > 0; n--) {
      tags.push(r.unsignedVarint())
      r.skip(r.unsignedVarint())
    }
    expect(tags).toStrictEqual([1, 3, 5, 300])
    expect(r.remaining()).toBe(0)
  })

  it('keep a tag the version does not know even if a later version defines it', () => {
    // Fetch v12 defines tag 0 (ClusterId); tag 1 (ReplicaState) arrives in v15
    const request = Fetch.createRequest({
      clusterId: 'c',
      _unknownTaggedFields: [{ tag: 1, data: Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
    })
    const c = apiCodec(Fetch, 'Request')
    const back = c.read(new Reader(encodeWith(c, request, 12)), 12)
    expect(back).toStrictEqual(request)
  })
})

describe('API definitions', () => {
  it('registers every broker API once by key', () => {
    expect(apisByKey.size).toBe(allApis.length)
    expect(apisByKey.get(0)).toBe(Produce)
    expect(apisByKey.get(1)).toBe(Fetch)
    expect(apisByKey.get(3)).toBe(Metadata)
    expect(apisByKey.get(10)).toBe(FindCoordinator)
    expect(apisByKey.get(18)).toBe(ApiVersions)
    expect(apisByKey.get(19)).toBe(CreateTopics)
    // controller-only APIs (e.g. Vote, 52) are not generated
    expect(apisByKey.has(52)).toBe(false)
    for (const api of allApis) {
      expect(api.minVersion).toBeLessThanOrEqual(api.maxVersion)
      expect(api.maxVersion).toBeLessThanOrEqual(api.latestVersion)
    }
  })

  it('caps maxVersion below a version Kafka marks unstable', () => {
    expect(InitProducerId.maxVersion).toBe(InitProducerId.latestVersion - 1)
    expect(Produce.maxVersion).toBe(Produce.latestVersion)
  })

  it('uses header v2/v1 for flexible versions, except the ApiVersions response header', () => {
    expect(Produce.firstFlexibleVersion).toBe(9)
    expect([Produce.requestHeaderVersion(8), Produce.responseHeaderVersion(8)]).toStrictEqual([1, 0])
    expect([Produce.requestHeaderVersion(9), Produce.responseHeaderVersion(9)]).toStrictEqual([2, 1])
    expect([ApiVersions.requestHeaderVersion(3), ApiVersions.responseHeaderVersion(3)]).toStrictEqual([2, 0])
    expect([ApiVersions.requestHeaderVersion(2), ApiVersions.responseHeaderVersion(2)]).toStrictEqual([1, 0])
  })

  it('routes requests the way Kafka does', () => {
    const routing = Object.fromEntries(allApis.map((api) => [api.name, api.routing]))
    expect(routing).toMatchObject({
      Produce: 'leader',
      Fetch: 'leader',
      ListOffsets: 'leader',
      DeleteRecords: 'leader',
      Metadata: 'any',
      ApiVersions: 'any',
      FindCoordinator: 'any',
      JoinGroup: 'group-coordinator',
      SyncGroup: 'group-coordinator',
      Heartbeat: 'group-coordinator',
      OffsetCommit: 'group-coordinator',
      OffsetFetch: 'group-coordinator',
      TxnOffsetCommit: 'group-coordinator',
      ConsumerGroupHeartbeat: 'group-coordinator',
      InitProducerId: 'transaction-coordinator',
      AddPartitionsToTxn: 'transaction-coordinator',
      EndTxn: 'transaction-coordinator',
      CreateTopics: 'controller',
      DeleteTopics: 'controller',
    })
  })

  it('applies schema defaults and overlays the given fields', () => {
    const request = Metadata.createRequest({ allowAutoTopicCreation: false })
    expect(request).toStrictEqual({
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    expect(ApiVersions.createResponse().finalizedFeaturesEpoch).toBe(-1n)
    expect(JoinGroup.createRequest().rebalanceTimeoutMs).toBe(-1)
  })
})

describe('framing with a generated API', () => {
  it('frames a flexible request and reads a response whose header stays v0', () => {
    const frame = encodeRequestFrame(
      ApiVersions,
      3,
      42,
      'kafkit',
      ApiVersions.createRequest({ clientSoftwareName: 'kafkit', clientSoftwareVersion: '0.1.0' }),
    )
    const r = new Reader(frame)
    expect(r.int32()).toBe(frame.length - 4)
    expect([r.int16(), r.int16(), r.int32(), r.string(), r.unsignedVarint()]).toStrictEqual([18, 3, 42, 'kafkit', 0])
    expect(ApiVersions.readRequest(r, 3)).toStrictEqual(
      ApiVersions.createRequest({ clientSoftwareName: 'kafkit', clientSoftwareVersion: '0.1.0' }),
    )

    const response = ApiVersions.createResponse({ apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] })
    const body = encodeWith(apiCodec(ApiVersions, 'Response'), response, 3)
    const responseFrame = Buffer.from(`0000002a${body.toString('hex')}`, 'hex')
    expect(decodeResponseFrame(ApiVersions, 3, responseFrame)).toStrictEqual(response)
  })
})
