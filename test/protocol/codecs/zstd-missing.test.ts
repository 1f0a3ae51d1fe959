// Without node:zlib zstd (Node < 22.15) and without the optional zstd-napi package, ZSTD fails
// with a typed error that says what to install, and only when ZSTD is used.

import * as zlib from 'node:zlib'

const nodeHasZstd = typeof (zlib as unknown as { zstdCompress?: unknown }).zstdCompress === 'function'

;(nodeHasZstd ? test.skip : test)('ZSTD throws KafkaJSNotImplemented naming both options', async () => {
  jest.resetModules()
  jest.doMock('zstd-napi', () => {
    throw new Error("Cannot find module 'zstd-napi'")
  })
  const { zstdCodec } = await import('../../../src/protocol/codecs/zstd.js')
  const { KafkaJSNotImplemented } = await import('../../../src/errors.js')
  const error = await zstdCodec.compress({ buffer: Buffer.from('x') }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(KafkaJSNotImplemented)
  expect((error as Error).message).toMatch(/Node\.js >= 22\.15.*zstd-napi/)
  await expect(zstdCodec.decompress(Buffer.from('x'))).rejects.toThrow(KafkaJSNotImplemented)
  jest.dontMock('zstd-napi')
})
