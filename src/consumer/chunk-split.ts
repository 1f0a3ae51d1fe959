// Cutting a fetched chunk into turns: the runner hands out at most maxPollRecords messages of a
// partition at a time (Java's max.poll.records), so that one partition's large fetch does not keep
// the others, or partitions just assigned, waiting behind it. The first `count` messages become a
// chunk of their own; the rest stays buffered as a chunk that starts at the first message not
// handed out. Offsets stay whole: the head's nextOffset is that first message's offset, so records
// filtered out between the two parts (control records, aborted transactions) are passed by the
// head, and resolving the head's last message resolves up to where the rest begins.

import type { KafkaMessage } from './message.js'
import type { ChunkMessages, FetchedChunk } from './subscription-state.js'

/** Messages [start, end) of another chunk's messages; a window of a window looks at the original. */
export class MessageWindow implements ChunkMessages {
  readonly #source: ChunkMessages
  readonly #start: number
  readonly length: number
  #all: KafkaMessage[] | undefined

  private constructor(source: ChunkMessages, start: number, end: number) {
    this.#source = source
    this.#start = start
    this.length = end - start
  }

  static of(source: ChunkMessages, start: number, end: number): MessageWindow {
    if (start < 0 || end > source.length || start > end) {
      throw new RangeError(`messages [${start}, ${end}) of ${source.length}`)
    }
    if (source instanceof MessageWindow)
      return new MessageWindow(source.#source, source.#start + start, source.#start + end)
    return new MessageWindow(source, start, end)
  }

  offsetAt(index: number): bigint {
    return this.#source.offsetAt(this.#index(index))
  }

  messageAt(index: number): KafkaMessage {
    if (this.#all !== undefined) return this.#all[this.#index(index) - this.#start]!
    return this.#source.messageAt(this.#index(index))
  }

  all(): KafkaMessage[] {
    if (this.#all !== undefined) return this.#all
    const all: KafkaMessage[] = []
    for (let i = 0; i < this.length; i++) all.push(this.#source.messageAt(this.#start + i))
    this.#all = all
    return all
  }

  #index(index: number): number {
    if (index < 0 || index >= this.length) throw new RangeError(`message ${index} of ${this.length}`)
    return this.#start + index
  }
}

/**
 * Splits `chunk` after its first `count` messages (0 < count < messages.length): the head to hand
 * out now, and the rest, which starts at the first message not handed out. The buffered bytes are
 * shared in proportion to the messages.
 */
export function splitChunk(chunk: FetchedChunk, count: number): { head: FetchedChunk; rest: FetchedChunk } {
  const { messages } = chunk
  if (!Number.isInteger(count) || count <= 0 || count >= messages.length) {
    throw new RangeError(`cannot split ${messages.length} messages after ${count}`)
  }
  const boundary = messages.offsetAt(count)
  const headMessages = MessageWindow.of(messages, 0, count)
  const headBytes = Math.round((chunk.bytes * count) / messages.length)
  // the leader epoch committed with the head's offset is its last message's (KIP-320)
  const lastEpoch = headMessages.messageAt(count - 1).batchContext?.partitionLeaderEpoch ?? -1
  return {
    head: {
      ...chunk,
      messages: headMessages,
      nextOffset: boundary,
      lastLeaderEpoch: lastEpoch >= 0 ? lastEpoch : chunk.lastLeaderEpoch,
      bytes: headBytes,
    },
    rest: {
      ...chunk,
      fetchOffset: boundary,
      firstOffset: boundary,
      messages: MessageWindow.of(messages, count, messages.length),
      bytes: chunk.bytes - headBytes,
    },
  }
}
