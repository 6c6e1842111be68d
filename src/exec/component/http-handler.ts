/**
 * Serving HTTP with a component (layer: execution, platform-neutral): a
 * request the host received goes to the component's
 * `wasi:http/incoming-handler.handle` as an `incoming-request` and a
 * `response-outparam`, on the calling thread, and what the component set
 * comes back as a response (status, headers, the body it wrote).
 *
 * Two ways to keep instances, as wasmtime's `serve` offers: a fresh
 * process and instance per request (the default: nothing a request leaves
 * behind reaches the next), or one reused for every request (state kept,
 * the instantiation paid once). A request that traps or exits ends its
 * process: the response is a 500 and the next request gets a new instance.
 * `prepare()` makes the next fresh instance ahead of its request (a server
 * calls it when idle), so that a request finds one ready: it is still one
 * no request has used.
 *
 * A component transpiled for JSPI (`suspending`) is called through
 * `handleAsync`: its waits (a sleep, an outgoing request, a socket)
 * suspend it, so the thread goes on with other requests meanwhile, each on
 * its own fresh instance (a reused instance takes one request at a time).
 * For any other component, `handleAsync` sends each request to a fresh
 * instance `elsewhere` when the platform gives a place (a process worker
 * each: requests side by side, at most `concurrency` at once).
 */
import type { Process } from '../../kernel/process.js';
import { statusOfThrown, type ExitStatus } from '../../kernel/exit-status.js';
import { withCoalescedWrites } from '../../kernel/write-buffer.js';
import type { FieldEntry } from '../../syscalls/p2/http-fields.js';
import { IncomingRequest, ResponseOutparam, type ReceivedRequest } from '../../syscalls/p2/http-types.js';
import { HostContext } from '../../syscalls/p2/host-context.js';
import type { ComponentImports } from '../../syscalls/p2/imports.js';
import { incomingHandlerExport, instantiateComponent } from './component-instance.js';
import type { TranspiledComponent } from './transpile.js';

/** A response a component gave (or Kiln gave for it when it failed). */
export interface ServedResponse {
  /** The status code. */
  status: number;
  /** The header fields, in order, names as the component gave them. */
  headers: FieldEntry[];
  /** The body the component wrote. */
  body: Uint8Array;
  /** The trailer fields it finished the body with (none: undefined). */
  trailers?: FieldEntry[];
  /** False when the component took a body and did not finish it: the response must be cut off, not sent as whole. */
  complete: boolean;
  /** Why the component gave no response (a trap, an exit, no `set`, an error code); undefined when it gave one. */
  failure?: string;
}

/** How a handler makes what each instance runs as. */
export interface HandlerProcesses {
  /** A new kernel process (arguments, environment, preopens, network as the run's options say). */
  spawn(): Process;
  /** Kiln's interfaces over a process, given its context (with the embedder's replacements and tracing). */
  imports(ctx: HostContext): ComponentImports;
  /**
   * Where fresh instances of a synchronous component handle requests
   * instead of this thread (a process worker each, on Node): requests are
   * then handled side by side.
   */
  elsewhere?: ElsewhereHandling;
}

/** Requests handled by fresh instances away from the calling thread. */
export interface ElsewhereHandling {
  /** Handles `request` on a fresh instance elsewhere; resolves to its response (a 500 when the instance gave none). */
  handle(request: ReceivedRequest): Promise<ServedResponse>;
  /** The most requests handled elsewhere at once (the others wait their turn). */
  concurrency: number;
}

interface Live {
  process: Process;
  ctx: HostContext;
  /** The export (a promise for a suspending component). */
  handle: (request: IncomingRequest, out: ResponseOutparam) => void | Promise<void>;
}

const encoder = new TextEncoder();

/** A component's `wasi:http/incoming-handler`: its instances, and the requests they handle. */
export class ComponentHttpHandler {
  #live: Live | undefined;
  /** A fresh instance made ahead of its request (`prepare`). */
  #ready: Live | undefined;
  #closed = false;
  /** The requests a reused suspending instance takes, one after the other. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Requests being handled elsewhere, and those waiting for one of them to end (each is handed its slot). */
  #elsewhere = 0;
  readonly #waiting: (() => void)[] = [];

  /**
   * A handler for `component` (NotAnHttpHandlerError when it exports no
   * incoming handler).
   *
   * @param component The transpiled component.
   * @param processes Where its instances run.
   * @param reuse One instance for every request (true), or one per request (false).
   */
  constructor(
    readonly component: TranspiledComponent,
    readonly processes: HandlerProcesses,
    readonly reuse: boolean,
  ) {
    incomingHandlerExport(component);
  }

  /**
   * Calls the component with `request` on this thread; returns its
   * response (a 500 when it gave none). A component transpiled for JSPI
   * needs `handleAsync`.
   */
  handle(request: ReceivedRequest): ServedResponse {
    if (this.#closed) throw new Error('the handler is closed');
    if (this.component.suspending === true) throw new TypeError('a component transpiled for JSPI is called through handleAsync()');
    const live = this.#live ?? this.#take();
    const out = new ResponseOutparam();
    let ended: ExitStatus | undefined;
    try {
      withCoalescedWrites(() => live.handle(new IncomingRequest(live.ctx, request), out));
    } catch (e) {
      ended = statusOfThrown(e);
    }
    return this.#answered(live, out, ended);
  }

  /**
   * Calls the component with `request`; resolves to its response. For a
   * component transpiled for JSPI the call suspends while the component
   * waits, and other requests are handled meanwhile (each on its own fresh
   * instance; a reused instance takes them in turn); for any other
   * component it is `handle`.
   */
  handleAsync(request: ReceivedRequest): Promise<ServedResponse> {
    const elsewhere = this.#elsewhereHandling();
    if (elsewhere !== undefined) return this.#handleElsewhere(request, elsewhere);
    if (this.component.suspending !== true) {
      try {
        return Promise.resolve(this.handle(request));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (!this.reuse) return this.#handleSuspending(request);
    const turn = this.#queue.then(() => this.#handleSuspending(request));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Where fresh instances of this component handle requests instead of this thread, if anywhere (not a reused instance, not a suspending component). */
  #elsewhereHandling(): ElsewhereHandling | undefined {
    return this.reuse || this.component.suspending === true ? undefined : this.processes.elsewhere;
  }

  async #handleElsewhere(request: ReceivedRequest, elsewhere: ElsewhereHandling): Promise<ServedResponse> {
    if (this.#closed) throw new Error('the handler is closed');
    if (this.#elsewhere < elsewhere.concurrency) this.#elsewhere++;
    else await new Promise<void>((go) => this.#waiting.push(go));
    try {
      return await elsewhere.handle(request);
    } finally {
      // The slot goes to the next waiting request, or is freed.
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#elsewhere--;
    }
  }

  async #handleSuspending(request: ReceivedRequest): Promise<ServedResponse> {
    if (this.#closed) throw new Error('the handler is closed');
    const live = this.reuse ? this.#live ?? this.#take() : this.#fresh();
    const out = new ResponseOutparam();
    let ended: ExitStatus | undefined;
    try {
      await live.handle(new IncomingRequest(live.ctx, request), out);
    } catch (e) {
      ended = statusOfThrown(e);
    }
    return this.#answered(live, out, ended);
  }

  /** The response of a request `live` handled; its process ends when it ended (`ended`) or serves one request only. */
  #answered(live: Live, out: ResponseOutparam, ended: ExitStatus | undefined): ServedResponse {
    if (ended !== undefined || !this.reuse) this.#end(live, ended ?? { kind: 'exit', code: 0 });
    return responseOf(out, ended);
  }

  /**
   * Makes the instance the next request will use, if there is none yet
   * (a server calls this when it is idle). A failure to make one is left
   * for that request to meet.
   */
  prepare(): void {
    if (this.#closed || this.#live !== undefined || this.#ready !== undefined) return;
    if (this.#elsewhereHandling() !== undefined) return;
    try {
      this.#ready = this.#start();
    } catch {
      // The next request instantiates again and answers with the failure.
    }
  }

  /** Ends the instance kept for reuse, and one made ahead (their processes end: output flushed, descriptors closed). */
  close(): void {
    this.#closed = true;
    if (this.#live !== undefined) this.#end(this.#live, { kind: 'exit', code: 0 });
    const ready = this.#ready;
    this.#ready = undefined;
    if (ready !== undefined) void ready.process.end({ kind: 'exit', code: 0 });
  }

  /** The instance made ahead, or a new one, as the live one. */
  #take(): Live {
    this.#live = this.#fresh();
    return this.#live;
  }

  /** The instance made ahead, or a new one. */
  #fresh(): Live {
    const live = this.#ready ?? this.#start();
    this.#ready = undefined;
    return live;
  }

  #start(): Live {
    const process = this.processes.spawn();
    // A suspending component's waits park, and its host methods answer promises (HostContext.blocking).
    if (this.component.suspending === true) process.parkBlockedCalls = true;
    try {
      const ctx = new HostContext(process);
      const exports = instantiateComponent(this.component, this.processes.imports(ctx));
      const handler = exports[incomingHandlerExport(this.component)] as { handle?: Live['handle'] } | undefined;
      if (typeof handler?.handle !== 'function') throw new Error('the component\'s wasi:http/incoming-handler has no handle function');
      return { process, ctx, handle: handler.handle.bind(handler) };
    } catch (e) {
      void process.end(statusOfThrown(e));
      throw e;
    }
  }

  /** Ends `live`'s process (and forgets it when it is the reused one). */
  #end(live: Live, status: ExitStatus): void {
    if (this.#live === live) this.#live = undefined;
    void live.process.end(status);
  }
}

/** Why a process ended, for a 500's body. */
function describe(status: ExitStatus): string {
  if (status.kind === 'exit') return `the component exited with status ${status.code} while handling the request`;
  if (status.kind === 'signal') return `the component was ended by signal ${status.signal}`;
  return `the component failed while handling the request: ${status.error instanceof Error ? status.error.message : String(status.error)}`;
}

/** A 500 that says why there is no response. */
function failed(why: string): ServedResponse {
  return { status: 500, headers: [['content-type', encoder.encode('text/plain; charset=utf-8')]], body: encoder.encode(`${why}\n`), complete: true, failure: why };
}

/** The 500 for a request whose instance ended (`status`) without a response: a run elsewhere that failed before it answered. */
export function noResponse(status: ExitStatus): ServedResponse {
  return failed(describe(status));
}

/** The response the outparam holds, or a 500 that says why there is none. */
function responseOf(out: ResponseOutparam, ended: ExitStatus | undefined): ServedResponse {
  const outcome = out.outcome;
  if (outcome === undefined) return failed(ended !== undefined ? describe(ended) : 'the component set no response');
  if (outcome.tag === 'err') return failed(`the component answered with the error ${JSON.stringify(outcome.val)}`);
  const response = outcome.val;
  const body = response.takenBody;
  return {
    status: response.statusCode(),
    headers: response.fields.entries(),
    body: body?.sink.bytes() ?? new Uint8Array(0),
    ...(body?.trailers === undefined ? {} : { trailers: body.trailers }),
    complete: (body === undefined || body.finished) && ended === undefined,
  };
}
