// The acknowledgements of a share consumer (KIP-932) and how they travel: each acquired record ends
// with one final acknowledgement (accept, release or reject); renew (KIP-1222) extends a record's
// acquisition lock and leaves it acquired. Per partition they go as batches of consecutive offsets,
// each batch with one type for all its offsets or one type per offset, as ShareFetch and
// ShareAcknowledge carry them. An offset inside an acquired range that holds no record (a
// transaction marker, a compacted record) is acknowledged as a gap.

/** The wire values of AcknowledgeTypes (GAP is the client's own: an offset without a record). */
export const AcknowledgeType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const
export type AcknowledgeType = (typeof AcknowledgeType)[keyof typeof AcknowledgeType]

/** What an application may pass to message.ack(). */
export type ShareAcknowledgement = 'accept' | 'release' | 'reject' | 'renew'

export const ACKNOWLEDGEMENT_TYPES: Readonly<Record<ShareAcknowledgement, AcknowledgeType>> = {
  accept: AcknowledgeType.ACCEPT,
  release: AcknowledgeType.RELEASE,
  reject: AcknowledgeType.REJECT,
  renew: AcknowledgeType.RENEW,
}

export interface AcknowledgementBatch {
  firstOffset: bigint
  lastOffset: bigint
  acknowledgeTypes: number[]
}

/**
 * The batches for one partition's acknowledgements (offset -> type), in offset order: a run of
 * consecutive offsets is one batch, with a single type when every offset has it and a type per
 * offset otherwise.
 */
export function acknowledgementBatches(acks: ReadonlyMap<bigint, AcknowledgeType>): AcknowledgementBatch[] {
  const offsets = [...acks.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const batches: AcknowledgementBatch[] = []
  let first = 0
  for (let i = 1; i <= offsets.length; i++) {
    if (i < offsets.length && offsets[i]! === offsets[i - 1]! + 1n) continue
    const run = offsets.slice(first, i)
    const types = run.map((offset) => acks.get(offset)!)
    batches.push({
      firstOffset: run[0]!,
      lastOffset: run.at(-1)!,
      acknowledgeTypes: types.every((t) => t === types[0]) ? [types[0]!] : types,
    })
    first = i
  }
  return batches
}
