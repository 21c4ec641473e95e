// A reload asked for while the daemon starts. `systemctl start` returns once the process runs
// (Type=exec), so `start` then `reload` can signal it before it has set up its own SIGHUP
// handler; SIGHUP's default action ended the process, and systemd, which counts a death by
// SIGHUP as a clean exit, did not restart it. The command line holds such a signal from its
// first moment; the daemon takes it once it can reload.

let held = false;
const hold = (): void => {
  held = true;
};

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
