// ObjectIds made at chosen seconds, for tests of lines that commit behind the checkpoint, and a
// routine line of host web1 under a given id.
import { ObjectId } from 'mongodb';
import { routineLine, type Rng } from './log-lines.js';

/**
 * Ids at chosen ObjectId seconds, increasing within a second in the order they are made. `tag`
 * (two hex digits) keeps one test file's ids apart from another's.
 */
export function idsAt(tag: string): (sec: number) => ObjectId {
  let counter = 0;
  return (sec) => new ObjectId(sec.toString(16).padStart(8, '0') + tag + '00000000' + (counter++).toString(16).padStart(6, '0'));
}

/** The first id an ObjectId second can hold: below every id `idsAt` makes in that second. */
export function firstIdOf(sec: number): ObjectId {
  return new ObjectId(sec.toString(16).padStart(8, '0') + '0000000000000001');
}

export function web1Line(_id: ObjectId, rng: Rng): { _id: ObjectId; Hostname: string; Message: string; timestamp: Date } {
  return { _id, Hostname: 'web1', Message: routineLine(rng), timestamp: new Date() };
}
