// scripts/flamegraph.mjs, run as a user runs it, on a small hand-made CPU profile.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'flamegraph.mjs')

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
  scriptId: '0',
})

// root -> main -> (encode x2 nodes of the same function, send), plus idle and GC under the root
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
    { id: 2, callFrame: frame('main', 'file:///app/main.js', 9), children: [5, 6, 7] },
    { id: 3, callFrame: frame('(idle)'), children: [] },
    { id: 4, callFrame: frame('(garbage collector)'), children: [] },
    { id: 5, callFrame: frame('encode', 'file:///app/enc<ode>.js', 19), children: [] },
    { id: 6, callFrame: frame('encode', 'file:///app/enc<ode>.js', 19), children: [] },
    { id: 7, callFrame: frame('send', 'node:net', 99), children: [] },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [3, 3, 3, 3, 5, 6, 6, 7, 2, 4],
  timeDeltas: new Array(10).fill(1000),
}

function graph(...options: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'flamegraph-'))
  try {
    writeFileSync(join(dir, 'p.cpuprofile'), JSON.stringify(profile))
    execFileSync(process.execPath, [SCRIPT, join(dir, 'p.cpuprofile'), join(dir, 'out.svg'), ...options])
    return readFileSync(join(dir, 'out.svg'), 'utf8')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('each function in a call path is a box with a <title> giving its samples, self and total; idle is left out', () => {
  const svg = graph('--title', 'producer & co')
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
  expect(svg).toContain('<title>producer &#38; co</title>')
  const titles = [...svg.matchAll(/<g><title>([^<]*)<\/title>/g)].map((m) => m[1])
  // 6 samples without the idle ones; the two nodes of encode under main are one box
  expect(titles).toEqual([
    'all: 6 samples (100.00%), self 0 (0.00%)',
    '(garbage collector): 1 samples (16.67%), self 1 (16.67%)',
    'main main.js:10: 5 samples (83.33%), self 1 (16.67%)',
    'encode enc&#60;ode&#62;.js:20: 3 samples (50.00%), self 3 (50.00%)',
    'send node:net:100: 1 samples (16.67%), self 1 (16.67%)',
  ])
  expect(titles.some((t) => t?.startsWith('(idle)'))).toBe(false)
})

test('--keep-idle keeps the idle samples', () => {
  expect(graph('--keep-idle')).toContain('<title>(idle): 4 samples (40.00%), self 4 (40.00%)</title>')
})
