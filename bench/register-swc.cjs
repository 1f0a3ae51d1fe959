// Lets `node -r ./bench/register-swc.cjs bench/<name>.ts` run TypeScript benches without a build:
// transpiles .ts on require with @swc/core (a dev dependency) and maps `./x.js` imports to `./x.ts`.
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')
const { transformSync } = require('@swc/core')

const resolve = Module._resolveFilename
Module._resolveFilename = function (request, parent, ...rest) {
  if (parent && request.startsWith('.') && request.endsWith('.js')) {
    const candidate = path.resolve(path.dirname(parent.filename), `${request.slice(0, -3)}.ts`)
    if (fs.existsSync(candidate)) return candidate
  }
  return resolve.call(this, request, parent, ...rest)
}

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  })
  module._compile(code, filename)
}
