/**
 * Follows the apiserver's audit log (JSON lines) while the bench runs and answers questions about it: the
 * events seen so far, and waits for the first event a predicate accepts.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { parseMicroTime } from "./clock";

/** The fields of an audit event the bench reads. */
export interface AuditEvent {
  auditID: string;
  stage: "ResponseStarted" | "ResponseComplete" | "Panic";
  verb: string;
  requestURI: string;
  user: { username: string };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  responseObject?: any;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  /** requestReceivedTimestamp in epoch ms. */
  received: number;
  /** stageTimestamp in epoch ms. */
  at: number;
}

interface Waiter {
  accept(event: AuditEvent): boolean;
  resolve(event: AuditEvent): void;
}

/** A followed audit log. */
export class AuditLog {
  /** Every event read so far, in log order. */
  readonly events: AuditEvent[] = [];
  private offset = 0;
  private rest = "";
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private readonly decoder = new StringDecoder("utf8");
  private waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly path: string) {}

  /** Starts reading new lines every 10 ms. */
  start(): void {
    this.timer = setInterval(() => this.poll(), 10);
    this.timer.unref();
  }

  /** Stops reading (after a last read). */
  stop(): void {
    clearInterval(this.timer);
    this.poll();
  }

  /** Reads what was appended since the last read. */
  poll(): void {
    if (!existsSync(this.path) || statSync(this.path).size <= this.offset) return;
    const fd = openSync(this.path, "r");
    try {
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.take(this.decoder.write(this.buffer.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves with the first event (already seen or still to come) `accept` takes; rejects after `timeoutMs`. */
  waitFor(accept: (event: AuditEvent) => boolean, what: string, timeoutMs = 60_000): Promise<AuditEvent> {
    this.poll();
    const seen = this.events.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`audit log: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      this.waiters.add(waiter);
    });
  }

  private take(chunk: string): void {
    const lines = (this.rest + chunk).split("\n");
    this.rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const raw = JSON.parse(line) as Omit<AuditEvent, "received" | "at">;
      const event: AuditEvent = {
        ...raw,
        received: parseMicroTime(raw.requestReceivedTimestamp),
        at: parseMicroTime(raw.stageTimestamp),
      };
      this.events.push(event);
      for (const waiter of [...this.waiters])
        if (waiter.accept(event)) {
          this.waiters.delete(waiter);
          waiter.resolve(event);
        }
    }
  }
}
