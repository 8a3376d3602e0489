/** A secret value (API key, token, password) that cannot leak through logs, JSON, diffs or error messages. */
const REDACTED = '[redacted]'

export class Secret {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  /** The plain value. Call only where it goes on the wire (providers/http.ts, stages/auth.ts). */
  reveal(): string {
    return this.#value
  }
  get isEmpty(): boolean {
    return this.#value.length === 0
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED
  }
}
