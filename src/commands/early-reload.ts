// A reload asked for while the daemon starts. `systemctl start` returns once the process runs
// (Type=exec), so `start` then `reload` can signal it before it has set up its own SIGHUP
// handler; SIGHUP's default action ended the process, and systemd, which counts a death by
// SIGHUP as a clean exit, did not restart it. The command line holds such a signal from its
// first module on; the daemon takes it once it can reload.

let held = false;
const hold = (): void => {
  held = true;
};

// From the first module the command line loads (cli.ts imports this one first). Before it, while
// Node.js itself starts (50-80 ms measured, and it resets every signal its parent ignored), a SIGHUP
// still ends the process. The other commands keep the default.
if (process.argv[2] === 'run') holdReloads();

/** From now on a SIGHUP is held instead of ending the process. */
export function holdReloads(): void {
  process.on('SIGHUP', hold);
}

/** Stops holding; whether a SIGHUP came meanwhile. */
export function releaseReloads(): boolean {
  process.off('SIGHUP', hold);
  const came = held;
  held = false;
  return came;
}
