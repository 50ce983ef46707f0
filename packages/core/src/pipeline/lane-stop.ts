/**
 * What lanes working on one task share: the first lane to fail stops the others (its `signal` fires),
 * and the task reports that lane's error, the cause, not the `ABORTED` of a lane stopped because of it.
 */
export class LaneStop {
  private readonly controller = new AbortController()
  private failure: { error: unknown } | undefined
  /** Fires when a lane failed or when the caller's signal fires. */
  readonly signal: AbortSignal

  constructor(callerSignal?: AbortSignal) {
    this.signal = callerSignal === undefined ? this.controller.signal : AbortSignal.any([callerSignal, this.controller.signal])
  }

  /** A lane failed with `error`: the first failure is kept and stops the other lanes; later ones are theirs. */
  fail(error: unknown): void {
    if (this.failure) return
    this.failure = { error }
    this.controller.abort(error)
  }

  /** Throws the first failure, if a lane failed. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.error
  }
}
