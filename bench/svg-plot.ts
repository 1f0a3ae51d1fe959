// Line charts as SVG documents, for the plots in docs/ (the soak run's memory per minute,
// scripts/soak.mjs; the memory benchmark's samples over time, bench/memory.bench.ts). No
// dependencies: polylines on a grid, a legend, dashed vertical marks for events and dotted
// horizontal levels for bounds. The <title> element names the chart (biome's a11y rule for SVG).

export interface PlotSeries {
  label: string
  color: string
  /** [x, y] in the chart's units, x ascending. */
  points: ReadonlyArray<readonly [number, number]>
}

export interface LineChart {
  title: string
  xLabel: string
  yLabel: string
  series: PlotSeries[]
  /** Dashed vertical lines at these x values (events: a node restarted, a broker stopped). */
  marks?: ReadonlyArray<{ x: number; label?: string }>
  /** Dotted horizontal lines at these y values (bounds). */
  levels?: ReadonlyArray<{ y: number; label: string; color?: string }>
  /** The y axis goes up to a multiple of this (default: a round step for five grid lines). */
  yStep?: number
  width?: number
  height?: number
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function roundStep(raw: number): number {
  if (!(raw > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(raw))
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power
}

/** A number for an axis label: integers as they are, others with at most one decimal. */
function tick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function svgLineChart(chart: LineChart): string {
  const width = chart.width ?? 720
  const height = chart.height ?? 320
  const left = 56
  const right = 16
  const top = 36
  const bottom = 44
  const points = chart.series.flatMap((s) => s.points)
  const maxX = Math.max(1e-9, ...points.map((p) => p[0]))
  const highest = Math.max(0, ...points.map((p) => p[1]), ...(chart.levels ?? []).map((l) => l.y))
  const yStep = chart.yStep ?? roundStep(highest / 5)
  const maxY = Math.ceil(highest / yStep) * yStep || yStep
  const x = (v: number): number => left + (v / maxX) * (width - left - right)
  const y = (v: number): number => top + (1 - v / maxY) * (height - top - bottom)
  const yTicks = Array.from({ length: 6 }, (_, i) => (maxY / 5) * i)
  const xTicks = Array.from({ length: 7 }, (_, i) => Math.round((maxX / 6) * i * 10) / 10)
  const plotBottom = height - bottom
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${left}" y="20" font-size="14">${escapeXml(chart.title)}</text>`,
    ...yTicks.map(
      (v) =>
        `<line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#eee"/>` +
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${tick(v)}</text>`,
    ),
    ...xTicks.map((v) => `<text x="${x(v)}" y="${plotBottom + 16}" text-anchor="middle">${tick(v)}</text>`),
    `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text x="14" y="${(top + plotBottom) / 2}" transform="rotate(-90 14 ${(top + plotBottom) / 2})" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
    ...(chart.marks ?? []).map(
      (m) =>
        `<line x1="${x(m.x)}" y1="${top}" x2="${x(m.x)}" y2="${plotBottom}" stroke="#bbb" stroke-dasharray="3,3"/>` +
        (m.label === undefined
          ? ''
          : `<text x="${x(m.x) + 3}" y="${plotBottom - 4}" fill="#888">${escapeXml(m.label)}</text>`),
    ),
    ...(chart.levels ?? []).map(
      (l) =>
        `<line x1="${left}" y1="${y(l.y)}" x2="${width - right}" y2="${y(l.y)}" stroke="${l.color ?? '#888'}" stroke-dasharray="1,3"/>` +
        `<text x="${width - right - 4}" y="${y(l.y) - 4}" text-anchor="end" fill="${l.color ?? '#888'}">${escapeXml(l.label)}</text>`,
    ),
    ...chart.series.map(
      (s) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points
          .map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`)
          .join(' ')}"/>`,
    ),
  ]
  // the legend, right-aligned in the top corner: about 7 px per character and a gap
  let at = width - right - chart.series.reduce((n, s) => n + s.label.length * 7 + 14, 0)
  for (const s of chart.series) {
    out.push(`<text x="${at}" y="${top + 14}" fill="${s.color}">${escapeXml(s.label)}</text>`)
    at += s.label.length * 7 + 14
  }
  out.push('</svg>', '')
  return out.join('\n')
}
