// On a runtime whose node:zlib has no zstd (Node < 22.15, below `engines`), loading kafkit still
// works and ZSTD fails when used, with a typed error that names the Node.js version it needs.

afterEach(() => {
  jest.dontMock('node:zlib')
  jest.resetModules()
})

test('ZSTD throws KafkaJSNotImplemented naming the Node.js version, and only when used', async () => {
  jest.resetModules()
  jest.doMock('node:zlib', () => ({
    ...jest.requireActual<object>('node:zlib'),
    zstdCompress: undefined,
    zstdDecompress: undefined,
  }))
  const { zstdCodec } = await import('../../../src/protocol/codecs/zstd.js')
  const { KafkaJSNotImplemented } = await import('../../../src/errors.js')
  const error = await zstdCodec.compress({ buffer: Buffer.from('x') }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSNotImplemented)
  expect((error as Error).message).toMatch(/Node\.js >= 22\.15/)
  await expect(zstdCodec.decompress(Buffer.from('x'))).rejects.toThrow(KafkaJSNotImplemented)
})
