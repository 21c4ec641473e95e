// At most a given number of tasks at once; the others wait their turn, first come first served.

export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`Limiter: size must be a positive integer, got ${String(size)}`);
  }

  /** Tasks running and waiting. */
  get pending(): number {
    return this.active + this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its place straight to the next waiting one (active stays the same).
    if (this.active < this.size) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
