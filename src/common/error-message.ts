// What to show of a caught value, which need not be an Error: its message, or its string form.

/** The message of an Error, or the string form of anything else thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The caught value as an Error: itself when it is one, else an Error carrying its string form. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
