/**
 * JSPI where the engine has it (layer: execution, platform-neutral):
 * `WebAssembly.Suspending` and `WebAssembly.promising` (Node 24, Chromium
 * 137 and later). Used by the suspending port (suspending.ts) and by the
 * contexts of a thread worker (contexts.ts).
 */

/** The two functions of JSPI. */
export interface JspiApi {
  Suspending: new (fn: (...args: never[]) => unknown) => object;
  promising: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => Promise<R>;
}

/** WebAssembly's JSPI functions, where the engine has them. */
export function jspi(): JspiApi | undefined {
  const wa = WebAssembly as unknown as Partial<JspiApi>;
  return typeof wa.Suspending === 'function' && typeof wa.promising === 'function' ? (wa as JspiApi) : undefined;
}

/** True where the engine has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export function jspiAvailable(): boolean {
  return jspi() !== undefined;
}

