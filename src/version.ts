// The package version, kept in step with package.json by a unit test (test/network/version.test.ts).
// A constant rather than a read of package.json at run time: the same source compiles to CommonJS and
// ES modules, and neither `import.meta` nor `require` works in both.
export const VERSION = '0.1.0'
