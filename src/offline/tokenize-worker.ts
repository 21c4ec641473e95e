// The tokenizer thread's side (tokenizer-thread.ts): each message is a batch of lines joined by
// `\n` (a line never holds one); the answer is the batch tokenized with the command's masks,
// packed (token-batch.ts), its arrays moved rather than copied.

import { parentPort, workerData } from 'node:worker_threads';
import { compileMasks, tokenize } from '../model/mask.js';
import type { MaskRuleConfig } from '../model/types.js';
import { TokenEncoder } from './token-batch.js';

const port = parentPort;
if (port === null) throw new Error('tokenize-worker: not started as a worker thread');
const masks = compileMasks((workerData as { extraMasks: MaskRuleConfig[] }).extraMasks);
const encoder = new TokenEncoder();

port.on('message', (text: string) => {
  const batch = encoder.encode(text.split('\n').map((line) => tokenize(line, masks)));
  const moved = [batch.tokenCounts, batch.valueCounts, batch.ids, batch.valueEnds].map((a) => a.buffer as ArrayBuffer);
  port.postMessage(batch, moved);
});
