// The committed generated code is exactly what the generator produces from the committed schemas.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '../..')
const committed = join(root, 'src/protocol/generated')

describe('src/protocol/generated', () => {
  let fresh = ''
  beforeAll(() => {
    fresh = mkdtempSync(join(tmpdir(), 'kafkit-generated-'))
    execFileSync('node', [join(root, 'protocol/generate.mjs'), '--out', fresh], { stdio: 'ignore' })
  })
  afterAll(() => rmSync(fresh, { recursive: true, force: true }))

  it('holds the same files as a fresh generation', () => {
    expect(readdirSync(committed).sort()).toStrictEqual(readdirSync(fresh).sort())
  })

  it('changes no file when regenerated', () => {
    const stale = readdirSync(fresh).filter(
      (f) => readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'),
    )
    expect(stale).toStrictEqual([])
  })

  it('marks every file as generated', () => {
    for (const f of readdirSync(committed)) {
      expect(readFileSync(join(committed, f), 'utf8').startsWith('// DO NOT EDIT')).toBe(true)
    }
  })
})
