#!/usr/bin/env node
// node scripts/node-runtimes.mjs [major...]
//
// The Node.js lines kafkit supports and tests (package.json `engines` and the README say the same),
// as binaries CI can run the tests with. Each comes from the npm registry's node-<platform>-<arch>
// package (the binary release the `node` package installs), installed once into
// <cache>/node-<major> (cache: KAFKIT_CACHE_DIR, else $XDG_CACHE_HOME/kafkit or ~/.cache/kafkit,
// where kafkit/testing keeps its Kafka jars). Prints one line per major: "<major> <path of its node>".
// Without arguments: every supported major.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const SUPPORTED_NODE_MAJORS = [22, 24, 26]

const cacheDir = process.env.KAFKIT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafkit')
const packageName = `node-${process.platform}-${process.arch}`

/** The major version of the node binary at `path`, or undefined if it does not run. */
function majorOf(path) {
  if (!existsSync(path)) return undefined
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
    return Number(/^v(\d+)\./.exec(version)?.[1])
  } catch {
    return undefined
  }
}

function binaryIn(dir) {
  return join(dir, 'node_modules', packageName, 'bin', 'node')
}

/** The node binary of `major`, installed into the cache unless it is there already. */
function nodeRuntime(major) {
  const dir = join(cacheDir, `node-${major}`)
  if (majorOf(binaryIn(dir)) === major) return binaryIn(dir)
  mkdirSync(cacheDir, { recursive: true })
  // installed beside and renamed into place, so a run that stops halfway (or a second run at the
  // same time) never leaves a half-installed folder where a complete one is expected
  const staging = mkdtempSync(join(cacheDir, `.node-${major}-`))
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `${packageName}@${major}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
    const found = majorOf(binaryIn(staging))
    if (found !== major) throw new Error(`${packageName}@${major} installed a node of major ${found ?? 'none'}`)
    rmSync(dir, { recursive: true, force: true })
    renameSync(staging, dir)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return binaryIn(dir)
}

const requested = process.argv.slice(2).map(Number)
if (requested.some((major) => !Number.isInteger(major) || major <= 0)) {
  console.error('usage: node scripts/node-runtimes.mjs [major...]')
  process.exit(2)
}
for (const major of requested.length > 0 ? requested : SUPPORTED_NODE_MAJORS) {
  console.log(`${major} ${nodeRuntime(major)}`)
}
