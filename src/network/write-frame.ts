// Writes a request given as chunks (encodeRequestChunks): corked, the socket hands them to the
// kernel in one vectored write instead of one write each, and nothing is copied to join them.

import type { Writable } from 'node:stream'

/** `callback` runs once every chunk is written (or the write failed). */
export function writeFrame(
  socket: Writable,
  chunks: readonly Buffer[],
  callback?: (error: Error | null | undefined) => void,
): void {
  const last = chunks.length - 1
  if (last === 0) {
    socket.write(chunks[0]!, callback)
    return
  }
  socket.cork()
  for (let i = 0; i < last; i++) socket.write(chunks[i]!)
  socket.write(chunks[last]!, callback)
  socket.uncork()
}
