/** How long a drain may take before the process exits anyway. */
export const drainBoundMs = 10_000;

/**
 * SIGTERM and SIGINT drain the relay, then end the process: `stop` stops accepting connections,
 * ends every event stream with a reconnect hint and lets the calls in flight finish (see
 * createApp). The process exits 0 once `stop` resolves, or 1 when it fails or takes longer than
 * `boundMs`. A second signal changes nothing (Ctrl+C reaches both npm and the relay, and npm
 * passes its own on): the bound already says when it ends.
 */
export function stopOnSignals(
  stop: () => Promise<unknown>,
  log: { info(msg: string): void; error(obj: object, msg: string): void },
  boundMs = drainBoundMs,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping (no new connections; calls in flight finish; event streams told to reconnect)`);
    const bound = setTimeout(() => {
      log.error({ boundMs }, 'the relay did not finish stopping in time; exiting now');
      process.exit(1);
    }, boundMs);
    bound.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stopping the relay failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
