// The share fetcher's error branches, request by request, against a scripted connection: what a
// real broker answers only under failure (a session it evicted, a leader that moved, a member it
// does not know yet, an authorization failure, a renewal of a lock that had expired). What the
// broker really does with acknowledgements is tested in integration/share-consumer.test.ts.

import type { Cluster } from '../../../src/cluster/cluster.js'
import { resolveRetryOptions } from '../../../src/common/backoff.js'
import { createLogger, logLevel } from '../../../src/common/kafka-logger.js'
import { ConsumerInstrumentation } from '../../../src/consumer/instrumentation.js'
import { AcknowledgeType } from '../../../src/consumer/share/acknowledgements.js'
import { resolveShareConsumerOptions } from '../../../src/consumer/share/share-consumer-options.js'
import { ShareFetcher, type ShareRecord } from '../../../src/consumer/share/share-fetcher.js'
import { KafkaJSProtocolError } from '../../../src/errors.js'
import type { ApiDefinition } from '../../../src/protocol/api.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  ShareAcknowledge,
  type ShareAcknowledgeRequest,
  type ShareAcknowledgeResponse,
} from '../../../src/protocol/generated/share-acknowledge.js'
import {
  createShareFetchResponseAcquiredRecords,
  createShareFetchResponsePartitionData,
  createShareFetchResponseShareFetchableTopicResponse,
  ShareFetch,
  type ShareFetchRequest,
  type ShareFetchResponse,
} from '../../../src/protocol/generated/share-fetch.js'
import { encodeRecordBatchSync } from '../../../src/protocol/records/index.js'
import { waitFor } from '../../helpers/wait.js'

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ'

type Answer = (request: ShareFetchRequest | ShareAcknowledgeRequest) => ShareFetchResponse | ShareAcknowledgeResponse

/** A Cluster with one topic ("jobs", one partition led by node 1) whose connection answers from `answers`. */
function scriptedCluster() {
  const sent: { api: string; request: ShareFetchRequest | ShareAcknowledgeRequest }[] = []
  const answers: Answer[] = []
  const noted: unknown[] = []
  const connection = {
    versionFor: () => 2,
    send: async (api: ApiDefinition<unknown, unknown>, request: ShareFetchRequest | ShareAcknowledgeRequest) => {
      sent.push({ api: api.name, request })
      const answer = answers.shift()
      if (answer !== undefined) return answer(request)
      // past the script: what an idle broker answers after its wait
      await new Promise((resolve) => setTimeout(resolve, 10))
      return api.name === ShareFetch.name ? ShareFetch.createResponse({}) : ShareAcknowledge.createResponse({})
    },
  }
  const metadata = {
    topics: new Map([['jobs', { topicId: TOPIC_ID, partitions: new Map([[0, { leader: 1 }]]) }]]),
  }
  const cluster = {
    metadata,
    addTargetTopics: () => undefined,
    refreshMetadataIfNecessary: async () => metadata,
    connectionToNode: async () => connection,
    noteError: (error: unknown) => {
      noted.push(error)
      return true
    },
  } as unknown as Cluster
  return { cluster, sent, answers, noted }
}

function fetchAnswer(fields: Partial<ShareFetchResponse> & { partition?: object }): Answer {
  return () =>
    ShareFetch.createResponse({
      errorCode: fields.errorCode ?? 0,
      responses:
        fields.partition === undefined
          ? []
          : [
              createShareFetchResponseShareFetchableTopicResponse({
                topicId: TOPIC_ID,
                partitions: [createShareFetchResponsePartitionData({ partitionIndex: 0, ...fields.partition })],
              }),
            ],
    })
}

/** Records at offsets 0..count-1, all acquired with `deliveryCount`. */
function acquired(count: number, deliveryCount = 1): object {
  return {
    records: encodeRecordBatchSync({
      records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })),
    }),
    acquiredRecords: [
      createShareFetchResponseAcquiredRecords({ firstOffset: 0n, lastOffset: BigInt(count - 1), deliveryCount }),
    ],
  }
}

function fetcherOn(cluster: Cluster) {
  const delivered: ShareRecord[] = []
  const fatal: Error[] = []
  const fetcher = new ShareFetcher({
    cluster,
    options: { ...resolveShareConsumerOptions({ groupId: 'g' }), retry: resolveRetryOptions({ initialRetryTime: 1 }) },
    memberId: 'member-1',
    logger: createLogger({ level: logLevel.NOTHING }),
    instrumentation: new ConsumerInstrumentation('test', createLogger({ level: logLevel.NOTHING })),
    deliver: (records) => delivered.push(...records),
    fatal: (error) => fatal.push(error),
  })
  fetcher.setAssignment([{ topic: 'jobs', partition: 0 }])
  return { fetcher, delivered, fatal }
}

const fetches = (sent: { api: string; request: unknown }[]) =>
  sent.filter((s) => s.api === ShareFetch.name).map((s) => s.request as ShareFetchRequest)

describe('ShareFetcher', () => {
  test('acknowledgements go with the next fetch; after SHARE_SESSION_NOT_FOUND the session opens again without them', async () => {
    const { cluster, sent, answers } = scriptedCluster()
    answers.push(
      fetchAnswer({ partition: acquired(2, 3) }),
      fetchAnswer({ errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND }),
      fetchAnswer({ partition: acquired(1) }),
    )
    const { fetcher, delivered } = fetcherOn(cluster)
    fetcher.start()
    await waitFor(() => delivered.length === 2, 'the first records')
    expect(delivered.map((r) => [r.offset, r.deliveryCount, r.message.value?.toString()])).toEqual([
      [0n, 3, 'v0'],
      [1n, 3, 'v1'],
    ])
    // nothing is fetched while records are held
    expect(fetches(sent)).toHaveLength(1)
    fetcher.acknowledge(delivered[0]!, AcknowledgeType.ACCEPT)
    fetcher.acknowledge(delivered[1]!, AcknowledgeType.REJECT)
    await waitFor(() => delivered.length === 3, 'records after the session came back')
    const [first, second, third] = fetches(sent)
    expect(first).toMatchObject({ shareSessionEpoch: 0, memberId: 'member-1', groupId: 'g', maxRecords: 500 })
    expect(second!.shareSessionEpoch).toBe(1)
    expect(second!.topics[0]!.partitions[0]!.acknowledgementBatches).toEqual([
      { firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [AcknowledgeType.ACCEPT, AcknowledgeType.REJECT] },
    ])
    expect(third!.shareSessionEpoch).toBe(0)
    expect(third!.topics[0]!.partitions[0]!.acknowledgementBatches).toEqual([])
    fetcher.acknowledge(delivered[2]!, AcknowledgeType.ACCEPT)
    await fetcher.stopFetching()
  })

  test('a partition whose leader moved asks for fresh metadata; a member the broker does not know yet is fetched again', async () => {
    const { cluster, sent, answers, noted } = scriptedCluster()
    answers.push(
      fetchAnswer({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID }),
      fetchAnswer({ partition: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } }),
    )
    const { fetcher } = fetcherOn(cluster)
    fetcher.start()
    await waitFor(() => fetches(sent).length >= 3, 'the third fetch')
    expect(
      fetches(sent)
        .map((r) => r.shareSessionEpoch)
        .slice(0, 3),
    ).toEqual([0, 0, 1])
    expect(noted).toEqual([expect.objectContaining({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER })])
    await fetcher.stopFetching()
  })

  test('acknowledgements a refused fetch carried go again with the next one', async () => {
    const { cluster, sent, answers } = scriptedCluster()
    answers.push(fetchAnswer({ partition: acquired(1) }), fetchAnswer({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID }))
    const { fetcher, delivered } = fetcherOn(cluster)
    fetcher.start()
    await waitFor(() => delivered.length === 1, 'the record')
    fetcher.acknowledge(delivered[0]!, AcknowledgeType.ACCEPT)
    await waitFor(() => fetches(sent).length >= 3, 'the third fetch')
    const [, refused, again] = fetches(sent)
    const accepted = [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AcknowledgeType.ACCEPT] }]
    expect(refused!.topics[0]!.partitions[0]!.acknowledgementBatches).toEqual(accepted)
    expect(again!.shareSessionEpoch).toBe(1)
    expect(again!.topics[0]!.partitions[0]!.acknowledgementBatches).toEqual(accepted)
    await fetcher.stopFetching()
  })

  test('TOPIC_AUTHORIZATION_FAILED ends the run', async () => {
    const { cluster, answers } = scriptedCluster()
    answers.push(fetchAnswer({ partition: { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED } }))
    const { fetcher, fatal } = fetcherOn(cluster)
    fetcher.start()
    await waitFor(() => fatal.length === 1, 'the fatal error')
    expect(fatal[0]).toBeInstanceOf(KafkaJSProtocolError)
    expect(fatal[0]).toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED })
    await fetcher.stopFetching()
  })

  test('renew is a ShareAcknowledge of type renew at the session epoch; a refused renewal rejects with the broker error', async () => {
    const { cluster, sent, answers } = scriptedCluster()
    answers.push(fetchAnswer({ partition: acquired(1) }))
    const { fetcher, delivered } = fetcherOn(cluster)
    fetcher.start()
    await waitFor(() => delivered.length === 1, 'the record')
    const refusal: Answer = () =>
      ShareAcknowledge.createResponse({
        responses: [
          {
            topicId: TOPIC_ID,
            partitions: [
              {
                partitionIndex: 0,
                errorCode: ErrorCode.INVALID_RECORD_STATE,
                errorMessage: null,
                currentLeader: { leaderId: 1, leaderEpoch: 0 },
              },
            ],
          },
        ],
      })
    answers.push(() => ShareAcknowledge.createResponse({}), refusal)
    await fetcher.renew(delivered[0]!)
    await expect(fetcher.renew(delivered[0]!)).rejects.toMatchObject({ code: ErrorCode.INVALID_RECORD_STATE })
    const renewals = sent
      .filter((s) => s.api === ShareAcknowledge.name)
      .map((s) => s.request as ShareAcknowledgeRequest)
    expect(renewals.map((r) => [r.shareSessionEpoch, r.isRenewAck])).toEqual([
      [1, true],
      [2, true],
    ])
    expect(renewals[0]!.topics[0]!.partitions[0]!.acknowledgementBatches).toEqual([
      { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AcknowledgeType.RENEW] },
    ])
    // closing: the final acknowledgement goes with epoch -1
    fetcher.acknowledge(delivered[0]!, AcknowledgeType.RELEASE)
    await fetcher.stopFetching()
    await fetcher.close()
    const closing = sent.at(-1)!
    expect(closing.api).toBe(ShareAcknowledge.name)
    expect(closing.request).toMatchObject({ shareSessionEpoch: -1, isRenewAck: false })
  })
})
