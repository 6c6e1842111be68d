/**
 * Time limits on the calling thread (layer: host): the contract a platform
 * supplies so that a runaway guest can be stopped on the thread it runs on
 * (the waPC engines' per-call limits). Node's is host/node/deadline.ts
 * (V8's watchdog, through `vm`); browsers have none, and a waPC engine
 * given `timeoutMs` there is refused at creation.
 */
export interface DeadlineRunner {
  /** Runs `body`; throws DeadlineExceeded if it is still running after `ms` milliseconds. */
  run<T>(body: () => T, ms: number): T;
}

export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`execution stopped after the time limit of ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}
