// A state file may be stale: its pids reused by other processes, its folder gone or (damaged) pointing
// elsewhere. stopDetachedKafka must then leave those processes and folders alone.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DetachedKafkaState } from '../../src/testing/cluster-types.js'
import { describeDetachedKafka, stopDetachedKafka } from '../../src/testing/detached.js'

function stateFor(pid: number, rootDir: string): DetachedKafkaState {
  return {
    version: '4.3.1',
    clusterId: 'x',
    brokers: ['127.0.0.1:1'],
    listeners: { PLAINTEXT: ['127.0.0.1:1'] },
    rootDir,
    nodes: [{ id: 1, pid, port: 1, dir: join(rootDir, 'node-1'), logFile: join(rootDir, 'node-1', 'kafka.log') }],
    startedAt: new Date(0).toISOString(),
  }
}

test('a pid that is not the node JVM is never signalled', async () => {
  const other = spawn('sleep', ['300'], { stdio: 'ignore' })
  try {
    const rootDir = mkdtempSync(join(tmpdir(), 'kafkit-kafka-'))
    const state = stateFor(other.pid!, rootDir)
    expect(await describeDetachedKafka(state)).toEqual([{ id: 1, pid: other.pid, running: false, answering: false }])
    expect(await stopDetachedKafka(state)).toEqual({ killed: [] })
    expect(other.exitCode).toBeNull()
    expect(() => process.kill(other.pid!, 0)).not.toThrow()
    // the harness's own folder is removed all the same
    expect(existsSync(rootDir)).toBe(false)
  } finally {
    other.kill('SIGKILL')
  }
})

test('a root folder the harness did not make is left alone', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'not-kafkit-'))
  const nested = join(mkdtempSync(join(tmpdir(), 'kafkit-kafka-')), 'kafkit-kafka-nested')
  mkdirSync(nested)
  try {
    await stopDetachedKafka(stateFor(-1, outside))
    await stopDetachedKafka(stateFor(-1, nested))
    expect(existsSync(outside)).toBe(true)
    expect(existsSync(nested)).toBe(true)
  } finally {
    rmSync(outside, { recursive: true, force: true })
    rmSync(join(nested, '..'), { recursive: true, force: true })
  }
})
