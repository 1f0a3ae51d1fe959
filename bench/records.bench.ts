// Record batch encode/decode throughput (records/s and MB/s of batch bytes), uncompressed so the
// codec does not hide the record layer's own cost. Run on demand:
//   node -r ./bench/register-swc.cjs bench/records.bench.ts

import { decodeRecords, encodeRecordBatchSync, type RecordInput } from '../src/protocol/records/index.js'

function records(count: number, valueSize: number, headers: number): RecordInput[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`key-${i}`),
    value: Buffer.alloc(valueSize, i % 251),
    headers: Array.from({ length: headers }, (_, h) => ({ key: `header-${h}`, value: Buffer.from(`value-${h}`) })),
    timestamp: now + i,
  }))
}

async function measure(label: string, bytesPerOp: number, recordsPerOp: number, fn: () => unknown): Promise<void> {
  for (let i = 0; i < 50; i++) await fn()
  const start = process.hrtime.bigint()
  let ops = 0
  while (process.hrtime.bigint() - start < 1_000_000_000n) {
    await fn()
    ops++
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  console.log(
    label.padEnd(48),
    `${((ops * recordsPerOp) / seconds / 1e6).toFixed(2)} M records/s`.padStart(20),
    `${((ops * bytesPerOp) / seconds / 1e6).toFixed(0)} MB/s`.padStart(12),
  )
}

async function main(): Promise<void> {
  for (const [count, valueSize, headers] of [
    [1000, 100, 0],
    [1000, 100, 2],
    [100, 1000, 0],
  ] as const) {
    const input = records(count, valueSize, headers)
    const batch = encodeRecordBatchSync({ records: input })
    const label = `${count} x ${valueSize} B values, ${headers} headers`
    await measure(`encode ${label}`, batch.length, count, () => encodeRecordBatchSync({ records: input }))
    await measure(`decode ${label}`, batch.length, count, () => decodeRecords(batch))
    await measure(`decode ${label}, no CRC`, batch.length, count, () =>
      decodeRecords(batch, { verifyChecksums: false }),
    )
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
