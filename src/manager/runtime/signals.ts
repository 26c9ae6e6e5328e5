/**
 * One abort signal for several sources (the caller's signal, the locks' lost signals).
 *
 * @module
 */

/**
 * A signal that aborts, with the same reason, as soon as any of `signals` does, and `dispose()` to detach it from
 * them again (so a caller's long-lived signal does not collect listeners run after run). With no signal, or one,
 * no new signal is made. Node 20.3's `AbortSignal.any` does the first half, but without a way to detach, and the
 * package supports Node 20.0.
 */
export function linkSignals(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal | undefined; dispose(): void } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return { signal: present[0], dispose: () => undefined };
  const controller = new AbortController();
  const detach: (() => void)[] = [];
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = (): void => controller.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    detach.push(() => s.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const d of detach.splice(0)) d();
    },
  };
}
