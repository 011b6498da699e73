// A priority task queue with concurrency limits, retries and typed events.

export type Priority = "low" | "normal" | "high";

export interface Task<T> {
  id: string;
  priority: Priority;
  run: (signal: AbortSignal) => Promise<T>;
  retries?: number;
}

interface QueueEvents<T> {
  done: (id: string, result: T) => void;
  failed: (id: string, error: unknown) => void;
}

const PRIORITY_ORDER: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export class TaskQueue<T> {
  private readonly pending: Task<T>[] = [];
  private running = 0;
  private readonly listeners: { [K in keyof QueueEvents<T>]: QueueEvents<T>[K][] } = { done: [], failed: [] };
  private readonly controller = new AbortController();

  constructor(private readonly concurrency: number = 2) {
    if (concurrency < 1) {
      throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
    }
  }

  on<K extends keyof QueueEvents<T>>(event: K, listener: QueueEvents<T>[K]): () => void {
    this.listeners[event].push(listener);
    return () => {
      const list = this.listeners[event];
      list.splice(list.indexOf(listener), 1);
    };
  }

  push(task: Task<T>): void {
    this.pending.push(task);
    this.pending.sort((a, b) => PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority]);
    this.drain();
  }

  get size(): number {
    return this.pending.length + this.running;
  }

  cancelAll(): void {
    this.pending.length = 0;
    this.controller.abort();
  }

  private drain(): void {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const task = this.pending.shift()!;
      this.running++;
      void this.execute(task, task.retries ?? 0).finally(() => {
        this.running--;
        this.drain();
      });
    }
  }

  private async execute(task: Task<T>, retriesLeft: number): Promise<void> {
    try {
      const result = await task.run(this.controller.signal);
      this.listeners.done.forEach((listener) => listener(task.id, result));
    } catch (error) {
      if (retriesLeft > 0 && !this.controller.signal.aborted) {
        await this.execute(task, retriesLeft - 1);
        return;
      }
      this.listeners.failed.forEach((listener) => listener(task.id, error));
    }
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });
}

export const makeTask = <T>(id: string, run: Task<T>["run"], priority: Priority = "normal"): Task<T> => ({
  id,
  priority,
  run,
});
