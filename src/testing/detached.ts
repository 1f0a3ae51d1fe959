// Finding and stopping a cluster that an earlier process started with `detached: true` (the CLI's
// `start` and `stop` run in different processes). Pids from a state file may be stale or reused, so
// a pid is only signalled when its command line is that node's Kafka JVM.

import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, resolve } from 'node:path'
import type { DetachedKafkaState } from './cluster-types.js'
import { probeApiVersions } from './probe.js'
import { LOOPBACK } from './server-properties.js'

export interface DetachedNodeStatus {
  id: number
  pid: number
  /** The pid is this node's Kafka JVM. */
  running: boolean
  /** The node answered ApiVersions on its client port. */
  answering: boolean
}

function commandLineOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // a zombie has no command line worth matching and is as good as gone
    if (/^\d+ \(.*\) Z /.test(stat)) return undefined
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    // no /proc (macOS): ask ps
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined
    } catch {
      return undefined
    }
  }
}

function isNodeJvm(pid: number, nodeDir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  const command = commandLineOf(pid)
  return command?.includes('kafka.Kafka') === true && command.includes(nodeDir)
}

export async function describeDetachedKafka(state: DetachedKafkaState): Promise<DetachedNodeStatus[]> {
  return Promise.all(
    state.nodes.map(async (node) => {
      const running = isNodeJvm(node.pid, node.dir)
      let answering = false
      if (running) {
        try {
          await probeApiVersions(LOOPBACK, node.port)
          answering = true
        } catch {
          answering = false
        }
      }
      return { id: node.id, pid: node.pid, running, answering }
    }),
  )
}

/** SIGKILLs the cluster's JVMs, waits until they are gone and removes its temp folder. */
export async function stopDetachedKafka(state: DetachedKafkaState, timeoutMs = 30_000): Promise<{ killed: number[] }> {
  const killed: number[] = []
  for (const node of state.nodes) {
    if (!isNodeJvm(node.pid, node.dir)) continue
    try {
      process.kill(node.pid, 'SIGKILL')
      killed.push(node.pid)
    } catch {
      // exited meanwhile
    }
  }
  const deadline = Date.now() + timeoutMs
  while (state.nodes.some((n) => isNodeJvm(n.pid, n.dir))) {
    if (Date.now() >= deadline) throw new Error(`Kafka JVMs ${killed.join(', ')} are still running after SIGKILL`)
    await new Promise((r) => setTimeout(r, 100))
  }
  // only ever a folder this harness made: a damaged state file must not point rm at anything else
  const root = resolve(state.rootDir)
  if (dirname(root) === resolve(tmpdir()) && basename(root).startsWith('kafkit-kafka-')) {
    rmSync(root, { recursive: true, force: true })
  }
  return { killed }
}
