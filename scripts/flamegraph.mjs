// Turns a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or the inspector's Profiler) into a
// flame graph SVG: one box per function in its call path, as wide as the share of samples spent in
// it and below it, callers under callees (the root at the bottom). Hovering a box shows its <title>:
// the function, its file and line, its samples and share, self and total. No dependencies.
//
//   node scripts/flamegraph.mjs <in.cpuprofile> <out.svg> [--title TEXT] [--width PX] [--keep-idle]
//
// The idle samples (the thread waiting in the event loop) are left out unless --keep-idle: the
// graph shows where CPU time went. Boxes narrower than half a pixel are dropped (their time still counts in
// their callers' width).

import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Box height, text size and the width of one character of it, margins and header, in pixels. */
const LAYOUT = { frameHeight: 16, fontSize: 11, charWidth: 6.2, minWidth: 0.5, pad: 10, header: 40 }
const { frameHeight: FRAME_HEIGHT, fontSize: FONT_SIZE, charWidth: CHAR_WIDTH, minWidth: MIN_WIDTH } = LAYOUT
const { pad: PAD, header: HEADER } = LAYOUT

/** `functionName file:line` of a profile node's call frame. */
export function frameLabel(callFrame) {
  const name = callFrame.functionName || '(anonymous)'
  if (!callFrame.url) return name
  const file = basename(callFrame.url.replace(/^file:\/\//, ''))
  return `${name} ${file}:${callFrame.lineNumber + 1}`
}

/**
 * The call tree with samples per node: { label, url, self, total, children } from the root, nodes
 * of one parent with the same label merged. `keepIdle` keeps the (idle) samples.
 */
export function callTree(profile, { keepIdle = false } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfSamples = new Map()
  for (const id of profile.samples ?? []) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1)
  const rootNode = profile.nodes.find((n) => !profile.nodes.some((p) => p.children?.includes(n.id))) ?? profile.nodes[0]
  const build = (node) => {
    const label = frameLabel(node.callFrame)
    const tree = { label, url: node.callFrame.url ?? '', self: selfSamples.get(node.id) ?? 0, total: 0, children: [] }
    if (!keepIdle && node.callFrame.functionName === '(idle)') tree.self = 0
    const merged = new Map()
    for (const childId of node.children ?? []) {
      const child = build(byId.get(childId))
      const same = merged.get(child.label)
      if (same === undefined) merged.set(child.label, child)
      else mergeInto(same, child)
    }
    tree.children = [...merged.values()].filter((c) => c.total > 0).sort((a, b) => a.label.localeCompare(b.label))
    tree.total = tree.self + tree.children.reduce((n, c) => n + c.total, 0)
    return tree
  }
  return build(rootNode)
}

function mergeInto(into, from) {
  into.self += from.self
  into.total += from.total
  for (const child of from.children) {
    const same = into.children.find((c) => c.label === child.label)
    if (same === undefined) into.children.push(child)
    else mergeInto(same, child)
  }
}

function depthOf(tree) {
  return 1 + tree.children.reduce((d, c) => Math.max(d, depthOf(c)), 0)
}

function escapeXml(text) {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A warm colour per file (stable across graphs), grey for V8's own entries such as (garbage collector). */
function colourOf(node) {
  if (node.url === '' && node.label.startsWith('(')) return 'rgb(190,190,190)'
  let hash = 0
  for (const c of node.url) hash = (hash * 31 + c.charCodeAt(0)) >>> 0
  const internal = node.url === '' || node.url.startsWith('node:')
  const red = internal ? 120 + (hash % 60) : 205 + (hash % 50)
  const green = internal ? 160 + ((hash >> 8) % 60) : 80 + ((hash >> 8) % 120)
  const blue = internal ? 200 + ((hash >> 16) % 50) : 40 + ((hash >> 16) % 40)
  return `rgb(${red},${green},${blue})`
}

/** The flame graph of `profile` as an SVG document. */
export function flameGraphSvg(profile, { title = 'CPU profile', width = 1200, keepIdle = false } = {}) {
  const tree = callTree(profile, { keepIdle })
  const depth = depthOf(tree)
  const height = HEADER + depth * FRAME_HEIGHT + PAD
  const total = Math.max(1, tree.total)
  const scale = (width - 2 * PAD) / total
  const intervalMs = profile.samples?.length ? (profile.endTime - profile.startTime) / 1000 / profile.samples.length : 0
  const boxes = []
  const draw = (node, x, level) => {
    const w = node.total * scale
    if (w < MIN_WIDTH) return
    const y = height - PAD - (level + 1) * FRAME_HEIGHT
    const share = ((node.total / total) * 100).toFixed(2)
    const selfShare = ((node.self / total) * 100).toFixed(2)
    const tip = `${node.label}: ${node.total} samples (${share}%), self ${node.self} (${selfShare}%)`
    const chars = Math.floor((w - 4) / CHAR_WIDTH)
    const text = chars < 3 ? '' : node.label.length <= chars ? node.label : `${node.label.slice(0, chars - 2)}..`
    boxes.push(
      `<g><title>${escapeXml(tip)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_HEIGHT - 1}" fill="${colourOf(node)}" rx="2"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_HEIGHT - 4}">${escapeXml(text)}</text>` : '') +
        '</g>',
    )
    let childX = x
    for (const child of node.children) {
      draw(child, childX, level + 1)
      childX += child.total * scale
    }
  }
  draw({ ...tree, label: 'all' }, PAD, 0)
  const subtitle = `${tree.total} samples${intervalMs > 0 ? ` at about ${intervalMs.toFixed(2)} ms` : ''}${keepIdle ? '' : ', idle left out'}; width = share of samples in a function and its callees, callers below`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="rgb(250,250,245)"/>`,
    `<text x="${PAD}" y="18" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${PAD}" y="33" fill="rgb(90,90,90)">${escapeXml(subtitle)}</text>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n')
}

function main(argv) {
  const [input, output] = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.match(/^--(title|width)$/))
  if (input === undefined || output === undefined) {
    console.error(
      'usage: node scripts/flamegraph.mjs <in.cpuprofile> <out.svg> [--title TEXT] [--width PX] [--keep-idle]',
    )
    process.exitCode = 2
    return
  }
  const option = (name) => {
    const at = argv.indexOf(name)
    return at >= 0 ? argv[at + 1] : undefined
  }
  const profile = JSON.parse(readFileSync(input, 'utf8'))
  const svg = flameGraphSvg(profile, {
    title: option('--title') ?? basename(input),
    width: Number(option('--width') ?? 1200),
    keepIdle: argv.includes('--keep-idle'),
  })
  writeFileSync(output, svg)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main(process.argv.slice(2))
