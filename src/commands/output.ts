// Standard output of the commands: a reader that went away (`| head -1`,
// EPIPE) ends a command quietly, like any Unix filter; any other write error
// (a full disk, ENOSPC; an I/O error) is a failure to report, because output
// that silently stops looks like "no more anomalies".

export const EXIT_OUTPUT = 1;

export interface OutputState {
  /** Nothing more can be written: stop producing output. */
  closed: boolean;
  /** The write error to report, when it was not a closed pipe. */
  error: NodeJS.ErrnoException | null;
  /**
   * Calls `listener` once, when the output closes (at once if it is closed): a command waiting on
   * input it reads ahead of its output (`tail -f | score - | head -1`) stops waiting then.
   */
  onClose(listener: () => void): void;
  dispose(): void;
}

export function watchOutput(out: NodeJS.WritableStream, onError?: (err: NodeJS.ErrnoException) => void): OutputState {
  let listeners: Array<() => void> = [];
  const onEvent = (err: NodeJS.ErrnoException): void => {
    const wasClosed = state.closed;
    state.closed = true;
    if (!wasClosed) for (const l of listeners.splice(0)) l();
    if (err.code === 'EPIPE' || state.error !== null) return;
    state.error = err;
    onError?.(err);
  };
  const state: OutputState = {
    closed: false,
    error: null,
    onClose: (listener) => (state.closed ? listener() : void listeners.push(listener)),
    dispose: () => {
      listeners = [];
      out.removeListener('error', onEvent);
    },
  };
  out.on('error', onEvent);
  return state;
}

/** `<name>: cannot write output: ENOSPC (no space left on device)`. */
export function outputErrorMessage(name: string, err: NodeJS.ErrnoException): string {
  const detail = err.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+$/, '');
  return `${name}: cannot write output: ${err.code ?? 'error'}${detail ? ` (${detail})` : ''}\n`;
}
