// Part 8: what the daemon writes with each checkpoint for a host's memory
// of new messages (model/familiarity.ts), saving each batch's change against saving the whole
// memory every time. Byte counts of the BSON update documents, deterministic for the seeds.
import { BSON } from 'mongodb';
import { type HostModel } from '../src/model/detector.js';
import { ModelTrainer } from '../src/model/trainer.js';
import { Familiarity } from '../src/model/familiarity.js';
import { familiarityChangeFields, storedFamiliarity } from '../src/mongo/checkpoints.js';
import { Rng } from '../src/seeded-random.js';
import type { BenchContext } from './perf-context.js';
import { SYSTEMS, lineSource, type LineSource } from './perf-lines.js';
import { int, type Figure } from './perf-report.js';

/** The host's own systems (trained on); the others write messages it never saw. */
const OWN = ['Apache', 'HDFS', 'OpenSSH', 'Zookeeper'];
/** Share of the scored lines from the other systems: a host that keeps writing new messages. */
const NEW_SHARE = 0.1;
const OTHERS = SYSTEMS.filter((s) => !OWN.includes(s));
const BATCH_SIZE = 2000; // the configuration's default

/** A revision as the daemon makes them (a UUID). */
const REV = '6f1c2a4e-3b5d-4e7f-9a0b-1c2d3e4f5a6b';

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

interface Written {
  batches: number;
  remembered: number;
  whole: number;
  change: number;
}

/** Scores `lines` lines in batches of `batch` through drafts, as the daemon does, adding up both ways of saving. */
function scoreInBatches(model: HostModel, own: LineSource, others: LineSource, lines: number, batch: number): Written {
  const r = new Rng(13);
  const log = new Familiarity();
  const out: Written = { batches: lines / batch, remembered: 0, whole: 0, change: 0 };
  for (let b = 0; b < out.batches; b++) {
    const draft = log.draft();
    for (let i = 0; i < batch; i++) model.score(r.next() < NEW_SHARE ? others.next() : own.next(), draft);
    out.whole += BSON.calculateObjectSize({ $set: { familiar: storedFamiliarity('v', REV, draft.state()) } });
    out.change += BSON.calculateObjectSize(familiarityChangeFields(REV, draft.change()));
    draft.commit();
  }
  out.remembered = log.size;
  return out;
}

export async function benchStateWrites(ctx: BenchContext): Promise<Figure[]> {
  const probe = lineSource(0);
  if (probe.kind !== 'loghub') {
    ctx.log(`  skipped: ${probe.description}`);
    return [];
  }
  const trainer = new ModelTrainer();
  const history = lineSource(11, OWN);
  for (let i = 0; i < 50_000; i++) trainer.add(history.next());
  const model = trainer.finish();
  const lines = ctx.quick ? 40_000 : 200_000;
  const figures: Figure[] = [];
  // Full batches (catching up) and the small ones of a host that writes about 100 lines per poll.
  for (const batch of [BATCH_SIZE, 100]) {
    const w = scoreInBatches(model, lineSource(12, OWN), lineSource(13, OTHERS), lines, batch);
    ctx.log(
      `  ${int(lines)} lines in batches of ${int(batch)}, ${NEW_SHARE * 100}% from systems the model never saw ` +
        `(${w.remembered} new messages remembered at the end): per batch, whole memory ${kb(w.whole / w.batches)}, change ${kb(w.change / w.batches)}`,
    );
    const note = `${int(lines)} lines; ${int(w.batches)} batches; deterministic (seeded)`;
    figures.push(
      { part: '8', name: `memory of new messages saved per checkpoint, batches of ${int(batch)}: the batch's change`, value: kb(w.change / w.batches), target: '-', pass: null, note },
      { part: '8', name: `the same, writing the whole memory every batch (as before 2026-11-21)`, value: kb(w.whole / w.batches), target: '-', pass: null, note },
    );
  }
  return figures;
}
