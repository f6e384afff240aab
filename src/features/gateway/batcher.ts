// Group commit for any store call that has a batch form: what is submitted while a batch is being
// written (or within the same tick) goes into the next batch, so N concurrent requests cost a few
// transactions rather than N. One batch at a time, in submission order.

export class Batcher<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #waiting: { item: I; resolve(value: O): void; reject(error: unknown): void }[] = [];
  #running = false;
  #scheduled = false;

  constructor(write: (items: I[]) => Promise<O[]>, maxBatch = 256) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    if (this.#running || this.#waiting.length === 0) return;
    this.#running = true;
    const batch = this.#waiting.splice(0, this.#maxBatch);
    try {
      const results = await this.#write(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.#running = false;
      if (this.#waiting.length > 0) this.#schedule();
    }
  }
}
