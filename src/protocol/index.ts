// The declarations use Node's types (Buffer, tls options); this pulls them in for users whose tsconfig lists no types.
/// <reference types="node" preserve="true" />
export * from './api.js'
export * from './codecs/index.js'
export * from './frame.js'
export * from './generated/index.js'
export * from './primitives/reader.js'
export * from './primitives/uuid.js'
export * from './primitives/writer.js'
export * from './records/index.js'
