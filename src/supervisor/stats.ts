/** Counters the supervisor keeps; /metrics and the logs read them. */
export class DaemonStats {
  linesRead = 0;
  /** Reads of several hosts' batches at once (shared-reads.ts), and the host batches they carried. */
  sharedReads = 0;
  sharedReadBatches = 0;
  lateLines = 0;
  linesScored = 0;
  anomaliesWritten = 0;
  anomaliesIgnored = 0;
  linesSkipped = 0;
  binaryDecoded = 0;
  trainings = 0;
  trainingSecondsTotal = 0;
  lastTrainingSeconds = 0;
  errors = 0;
  workerCrashes = 0;
}
