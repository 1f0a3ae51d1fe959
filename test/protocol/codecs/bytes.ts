// Byte helpers for the codec and record tests. They exist because the pinned @types/node (20.9.5)
// predates TypeScript 5.7's generic Uint8Array, so Buffer.concat and Buffer.from(buffer) do not
// type-check with a Buffer argument; once @types/node is raised they can go.

export function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

export function concat(...buffers: Buffer[]): Buffer {
  const out = Buffer.alloc(buffers.reduce((n, b) => n + b.length, 0))
  let at = 0
  for (const b of buffers) {
    out.set(b, at)
    at += b.length
  }
  return out
}

export function copy(buffer: Buffer): Buffer {
  return concat(buffer)
}
