// Types for the parts of snappyjs (which ships none) that the Snappy codec uses.
declare module 'snappyjs' {
  /** Compresses into one raw Snappy block; a Buffer in gives a Buffer out. */
  export function compress(input: Buffer): Buffer
}
