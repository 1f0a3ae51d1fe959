// Finds java and mvn before anything is spawned, so a missing one is reported as such (with the
// command that installs it) instead of as a spawn ENOENT in the middle of a start.

import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { JavaNotFoundError, MavenNotFoundError } from './errors.js'

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The first `name` on PATH that is an executable file. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    if (isExecutableFile(candidate)) return candidate
  }
  return undefined
}

/** JAVA_HOME's java when JAVA_HOME is set, else java on PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JAVA_HOME) {
    const candidate = join(env.JAVA_HOME, 'bin', 'java')
    if (isExecutableFile(candidate)) return candidate
    throw new JavaNotFoundError(`JAVA_HOME=${env.JAVA_HOME} has no bin/java`)
  }
  const found = findOnPath('java', env)
  if (!found) throw new JavaNotFoundError('java is not on PATH and JAVA_HOME is not set')
  return found
}

/** KAFKIT_MVN when set, else mvn on PATH. */
export function findMaven(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_MVN) {
    if (isExecutableFile(env.KAFKIT_MVN)) return env.KAFKIT_MVN
    throw new MavenNotFoundError(`KAFKIT_MVN=${env.KAFKIT_MVN} is not an executable file`)
  }
  const found = findOnPath('mvn', env)
  if (!found) throw new MavenNotFoundError('mvn is not on PATH and KAFKIT_MVN is not set')
  return found
}
