// A host's model trained on seeded routine traffic with a test's own lines among it.
import type { HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Rng, routineLine } from './log-lines.js';

/** Trained on `lines` routine lines (seed `seed`), each followed by `after(i)` (mostly none). */
export function trainAmongRoutine(seed: number, lines: number, after: (i: number) => readonly string[]): HostModel {
  const r = new Rng(seed);
  const t = new ModelTrainer();
  for (let i = 0; i < lines; i++) {
    t.add(routineLine(r));
    for (const l of after(i)) t.add(l);
  }
  return t.finish();
}
