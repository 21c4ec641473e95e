// The offline `score` command's second thread. Training and scoring depend on the lines before
// (the miner learns in order; a new message weighs less each time it comes back), but masking and
// tokenizing a line depends on the line alone, and it is about a third of the command's time on
// whole log lines. So while the main thread trains on or scores one batch, this thread tokenizes
// the next ones. The output is the same as in one thread (test/offline/tokenizer-thread.test.ts).

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Tokenized } from '../model/mask.js';
import type { MaskRuleConfig } from '../model/types.js';
import { TokenDecoder, type TokenBatch } from './token-batch.js';

const ENTRY = new URL('./tokenize-worker.js', import.meta.url);
/** Batches handed to the thread ahead of the one the main thread waits for. */
const AHEAD = 4;

interface Waiting {
  resolve(lines: Tokenized[]): void;
  reject(err: Error): void;
}

export class TokenizerThread {
  private readonly worker: Worker;
  private readonly decoder = new TokenDecoder();
  /** Answers come in the order the batches went out. */
  private readonly waiting: Waiting[] = [];
  private failure: Error | null = null;

  /** A thread when the machine has a second processor to run it on, else null (one thread does it all). */
  static start(extraMasks: readonly MaskRuleConfig[]): TokenizerThread | null {
    return availableParallelism() >= 2 ? new TokenizerThread(extraMasks) : null;
  }

  constructor(extraMasks: readonly MaskRuleConfig[]) {
    this.worker = new Worker(ENTRY, { workerData: { extraMasks } });
    this.worker.on('message', (batch: TokenBatch) => {
      const w = this.waiting.shift();
      if (w === undefined) return;
      try {
        w.resolve(this.decoder.decode(batch));
      } catch (err) {
        this.fail(err as Error);
        w.reject(err as Error);
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the tokenizer thread stopped (exit code ${code})`)));
  }

  /** The lines tokenized as `tokenize(line, compileMasks(extraMasks))` would. */
  tokenize(lines: readonly string[]): Promise<Tokenized[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(lines);
    });
  }

  /**
   * Runs `each` on every batch of `batches` in order with its lines tokenized, as soon as they are,
   * while the thread works up to AHEAD batches ahead. `batches` is called with the handler to give
   * each batch to (as streams.ts forEachLines calls its own), and returns when it has given the last
   * one. A batch never waits for the ones after it: `tail -f | score ... -` prints each line as it
   * comes. When reading fails, the batches read before are still handled, as in one thread.
   */
  async pipeline(
    batches: (give: (lines: string[]) => Promise<void>) => Promise<void>,
    each: (lines: string[], tokenized: Tokenized[]) => Promise<void> | void,
  ): Promise<void> {
    const queue: Array<{ lines: string[]; tokenized: Promise<Tokenized[]> }> = [];
    let ended = false;
    // Set by the consumer (an object: the compiler cannot see closures assign it).
    const state: { failed: { error: unknown } | null } = { failed: null };
    const stopIfFailed = (): void => {
      if (state.failed !== null) throw state.failed.error;
    };
    let wakeConsumer: (() => void) | null = null;
    let wakeProducer: (() => void) | null = null;
    const wake = (w: (() => void) | null): void => w?.();
    const consumer = (async (): Promise<void> => {
      try {
        for (;;) {
          const b = queue[0];
          if (b === undefined) {
            if (ended) return;
            await new Promise<void>((resolve) => (wakeConsumer = resolve));
            continue;
          }
          await each(b.lines, await b.tokenized);
          queue.shift();
          wake(wakeProducer);
        }
      } catch (err) {
        state.failed = { error: err };
        wake(wakeProducer);
        throw err;
      }
    })();
    // Awaited below; until then its failure must not count as unheard (which ends the process).
    consumer.catch(() => undefined);
    let readFailure: { error: unknown } | null = null;
    try {
      await batches(async (lines) => {
        stopIfFailed();
        const tokenized = this.tokenize(lines);
        // Heard here at once: when the thread fails, the batches behind the one awaited reject too.
        tokenized.catch(() => undefined);
        queue.push({ lines, tokenized });
        wake(wakeConsumer);
        while (queue.length > AHEAD && state.failed === null) await new Promise<void>((resolve) => (wakeProducer = resolve));
        stopIfFailed();
      });
    } catch (err) {
      readFailure = { error: err };
    }
    ended = true;
    wake(wakeConsumer);
    await consumer;
    if (readFailure !== null) throw readFailure.error;
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    this.failure ??= new Error('the tokenizer thread was closed');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}
