/**
 * Resolves on the event loop's next turn, after the I/O callbacks waiting: a long parse on this thread
 * awaits it now and then, so the downloads and staging beside it (another lane's next file) keep moving.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
