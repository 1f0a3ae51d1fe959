import { AcknowledgeType, acknowledgementBatches } from '../../../src/consumer/share/acknowledgements.js'

const { ACCEPT, RELEASE, REJECT, GAP } = AcknowledgeType

describe('acknowledgementBatches', () => {
  test('consecutive offsets of one type are one batch with one type', () => {
    const acks = new Map([
      [12n, ACCEPT],
      [10n, ACCEPT],
      [11n, ACCEPT],
    ] as const)
    expect(acknowledgementBatches(acks)).toEqual([{ firstOffset: 10n, lastOffset: 12n, acknowledgeTypes: [ACCEPT] }])
  })

  test('consecutive offsets of several types carry one type per offset, in offset order', () => {
    const acks = new Map([
      [5n, ACCEPT],
      [6n, GAP],
      [7n, RELEASE],
      [8n, ACCEPT],
    ] as const)
    expect(acknowledgementBatches(acks)).toEqual([
      { firstOffset: 5n, lastOffset: 8n, acknowledgeTypes: [ACCEPT, GAP, RELEASE, ACCEPT] },
    ])
  })

  test('a hole between offsets starts a new batch', () => {
    const acks = new Map([
      [1n, REJECT],
      [2n, REJECT],
      [4n, ACCEPT],
      [9n, RELEASE],
      [10n, ACCEPT],
    ] as const)
    expect(acknowledgementBatches(acks)).toEqual([
      { firstOffset: 1n, lastOffset: 2n, acknowledgeTypes: [REJECT] },
      { firstOffset: 4n, lastOffset: 4n, acknowledgeTypes: [ACCEPT] },
      { firstOffset: 9n, lastOffset: 10n, acknowledgeTypes: [RELEASE, ACCEPT] },
    ])
  })

  test('nothing to acknowledge is no batch', () => {
    expect(acknowledgementBatches(new Map())).toEqual([])
  })
})
