/**
 * `wasi:http` (layer: syscalls): the `types` interface and the
 * `outgoing-handler` of the component host. The resources a guest
 * constructs itself (`outgoing-request`, `outgoing-response`) need the
 * run's context, so each run gets its own subclasses, bound to it; the
 * glue's `instanceof` checks use the classes of that run's import object.
 * The `incoming-handler` is an export: the host calls it
 * (exec/component/http-handler.ts).
 */
import { Fields } from './http-fields.js';
import { BodyReadError, FutureIncomingResponse, IncomingResponse, OutgoingRequest, RequestOptions, sendRequest } from './http-client.js';
import type { IoError } from './io.js';
import { FutureTrailers, IncomingBody, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam, type HttpErrorCode } from './http-types.js';
import type { HostContext } from './host-context.js';

/** The `wasi:http/*` interfaces a component imports, by unversioned name. */
export function httpInterfaces(ctx: HostContext): Record<string, Readonly<Record<string, unknown>>> {
  class BoundOutgoingRequest extends OutgoingRequest {
    constructor(headers: Fields) { super(ctx, headers); }
  }
  class BoundOutgoingResponse extends OutgoingResponse {
    constructor(headers: Fields) { super(ctx, headers); }
  }
  return {
    'wasi:http/types': {
      Fields,
      IncomingRequest,
      OutgoingRequest: BoundOutgoingRequest,
      RequestOptions,
      ResponseOutparam,
      IncomingResponse,
      IncomingBody,
      FutureTrailers,
      OutgoingResponse: BoundOutgoingResponse,
      OutgoingBody,
      FutureIncomingResponse,
      // The HTTP error behind a response body's failed read; other streams' errors have none.
      httpErrorCode: (err: IoError): HttpErrorCode | undefined => (err.cause instanceof BodyReadError ? err.cause.code : undefined),
    },
    'wasi:http/outgoing-handler': {
      handle: (request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse => sendRequest(ctx, request, options),
    },
  };
}
