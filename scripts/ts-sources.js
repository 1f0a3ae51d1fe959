// Running the TypeScript sources without a build, for the kafka CLI, jest's globalSetup and helper
// processes of tests. Two hooks on Node's require:
// - resolution: in a .ts file, './x.js' means './x.ts' until the build has produced x.js (jest's
//   moduleNameMapper does this for test files, but not for globalSetup or child processes);
// - compilation: .ts files compiled in memory by @swc/core (a dev dependency), for processes that
//   jest does not transform.

const Module = require('node:module')
const { existsSync, readFileSync } = require('node:fs')
const { dirname, resolve } = require('node:path')

let resolutionInstalled = false

function installTsSourceResolution() {
  if (resolutionInstalled) return
  resolutionInstalled = true
  const resolveFilename = Module._resolveFilename
  Module._resolveFilename = function (request, parent, ...rest) {
    if (parent?.filename?.endsWith('.ts') && request.startsWith('.') && request.endsWith('.js')) {
      const base = dirname(parent.filename)
      const source = resolve(base, `${request.slice(0, -3)}.ts`)
      if (!existsSync(resolve(base, request)) && existsSync(source)) return source
    }
    return resolveFilename.call(this, request, parent, ...rest)
  }
}

/** Both hooks: after this, require() of a .ts source works in a plain Node process. */
function registerTsSources() {
  installTsSourceResolution()
  if (Module._extensions['.ts']) return
  const swc = require('@swc/core')
  Module._extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
      filename,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    })
    module._compile(code, filename)
  }
}

module.exports = { installTsSourceResolution, registerTsSources }
