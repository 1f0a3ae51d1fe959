// Decodes the `records` bytes of a Fetch response partition: any mix of v2 batches and legacy
// messages, possibly ending in a batch cut off at the fetch size limit, which is reported in
// `partialBatch` rather than thrown (the next fetch, from the next offset, reads it whole).

import { corrupt, resolveDecodeContext } from './decode-context.js'
import { decodeLegacyEntry, MESSAGE_OVERHEAD_V0 } from './decode-message-set.js'
import { decodeRecordBatchV2 } from './decode-record-batch.js'
import { LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAGIC_V2 } from './record-batch-format.js'
import type { DecodedRecordBatch, DecodedRecords, DecodeRecordsOptions, PartialBatch } from './types.js'

function partial(buffer: Buffer, position: number): PartialBatch {
  const available = buffer.length - position
  return {
    position,
    baseOffset: available >= 8 ? buffer.readBigInt64BE(position) : undefined,
    sizeInBytes: available >= LOG_OVERHEAD ? LOG_OVERHEAD + buffer.readInt32BE(position + LENGTH_OFFSET) : undefined,
    availableBytes: available,
  }
}

/**
 * Decodes every whole batch in `buffer`. Throws KafkaJSCorruptRecordError for a batch that fails its
 * checksum or contradicts its own lengths (its `offset` names the batch; the caller adds topic and
 * partition), and KafkaJSDecodeError when a batch decompresses beyond maxDecompressedBytes.
 */
export async function decodeRecords(buffer: Buffer, options?: DecodeRecordsOptions): Promise<DecodedRecords> {
  const ctx = resolveDecodeContext(buffer.length, options)
  const batches: DecodedRecordBatch[] = []
  let position = 0
  while (position < buffer.length) {
    if (buffer.length - position < MAGIC_OFFSET + 1) return { batches, partialBatch: partial(buffer, position) }
    const size = buffer.readInt32BE(position + LENGTH_OFFSET)
    if (size < MESSAGE_OVERHEAD_V0) {
      const offset = buffer.readBigInt64BE(position)
      throw corrupt(`batch at offset ${offset} declares ${size} bytes, less than any batch or message`, offset)
    }
    if (size > buffer.length - position - LOG_OVERHEAD) return { batches, partialBatch: partial(buffer, position) }
    const magic = buffer.readInt8(position + MAGIC_OFFSET)
    const entrySize = LOG_OVERHEAD + size
    let decoded: DecodedRecordBatch | Promise<DecodedRecordBatch>
    if (magic === MAGIC_V2) {
      decoded = decodeRecordBatchV2(buffer, position, entrySize, ctx)
    } else if (magic === 0 || magic === 1) {
      decoded = decodeLegacyEntry(buffer, position, size, ctx)
    } else {
      const offset = buffer.readBigInt64BE(position)
      throw corrupt(`batch at offset ${offset} has unsupported magic ${magic}`, offset)
    }
    batches.push(decoded instanceof Promise ? await decoded : decoded)
    position += entrySize
  }
  return { batches, partialBatch: undefined }
}
