import { isRebalanceError, partitionHeartbeat } from '../../src/consumer/payload-heartbeat.js'
import { SubscriptionState } from '../../src/consumer/subscription-state.js'
import { KafkaJSProtocolError } from '../../src/errors.js'
import { ErrorCode, protocolError } from '../../src/protocol/generated/errors.js'

function owned(): { subscriptions: SubscriptionState; heartbeat: () => Promise<void> } {
  const subscriptions = new SubscriptionState()
  const [state] = subscriptions.assign([{ topic: 't', partition: 3 }])
  return { subscriptions, heartbeat: partitionHeartbeat(subscriptions, state!) }
}

describe('the payload heartbeat()', () => {
  test('resolves while the member owns the partition, with one shared promise', async () => {
    const { heartbeat } = owned()
    await expect(heartbeat()).resolves.toBeUndefined()
    expect(heartbeat()).toBe(heartbeat())
  })

  test('rejects with REBALANCE_IN_PROGRESS once the partition is being revoked', async () => {
    const { subscriptions, heartbeat } = owned()
    subscriptions.revoke([{ topic: 't', partition: 3 }])
    const error = await heartbeat().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaJSProtocolError)
    expect(error).toMatchObject({ type: 'REBALANCE_IN_PROGRESS', retriable: false })
    expect(error).toMatchObject({
      message: 'The group is rebalancing, so a rejoin is needed',
      detail: 'partition t-3 is being revoked',
    })
    expect(isRebalanceError(error)).toBe(true)
  })

  test('rejects once the partition was lost (unassigned without revocation)', async () => {
    const { subscriptions, heartbeat } = owned()
    subscriptions.unassign([{ topic: 't', partition: 3 }])
    await expect(heartbeat()).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS', detail: /was lost/ })
  })

  test('a partition assigned again is a new ownership: the old handler still hears it is gone', async () => {
    const { subscriptions, heartbeat } = owned()
    subscriptions.unassign([{ topic: 't', partition: 3 }])
    subscriptions.assign([{ topic: 't', partition: 3 }])
    await expect(heartbeat()).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' })
  })

  test('the rebalance errors are those KafkaJS rejoins on, and their KIP-848 kin', () => {
    for (const code of [
      ErrorCode.REBALANCE_IN_PROGRESS,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.ILLEGAL_GENERATION,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.FENCED_MEMBER_EPOCH,
    ]) {
      expect(isRebalanceError(protocolError(code))).toBe(true)
    }
    expect(isRebalanceError(protocolError(ErrorCode.OFFSET_OUT_OF_RANGE))).toBe(false)
    expect(isRebalanceError(new Error('REBALANCE_IN_PROGRESS'))).toBe(false)
  })
})
