import { Writable } from 'node:stream'
import { writeFrame } from '../../src/network/write-frame.js'

/** Records how the chunks reached the stream: one write, or vectored writes of several chunks. */
function recordingStream(): { stream: Writable; writes: Buffer[][] } {
  const writes: Buffer[][] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push([chunk])
      callback()
    },
    writev(chunks, callback) {
      writes.push(chunks.map((c) => c.chunk as Buffer))
      callback()
    },
  })
  return { stream, writes }
}

describe('writeFrame', () => {
  it('hands several chunks to the stream in one vectored write, in order', async () => {
    const { stream, writes } = recordingStream()
    const chunks = [Buffer.from('ab'), Buffer.alloc(10000, 1), Buffer.from('c')]
    await new Promise<void>((resolve, reject) => writeFrame(stream, chunks, (e) => (e ? reject(e) : resolve())))
    expect(writes).toHaveLength(1)
    expect(writes[0]).toHaveLength(3)
    expect(writes[0]![1]).toBe(chunks[1])
  })

  it('writes a single chunk as is and calls back once it is written', async () => {
    const { stream, writes } = recordingStream()
    const calls: unknown[] = []
    await new Promise<void>((resolve) =>
      writeFrame(stream, [Buffer.from('frame')], (error) => {
        calls.push(error)
        resolve()
      }),
    )
    expect(writes).toStrictEqual([[Buffer.from('frame')]])
    expect(calls).toHaveLength(1)
  })
})
