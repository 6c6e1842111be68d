/**
 * Kiln's platform on Node (layer: front doors, Node only): the Node
 * runtime, and process workers for `run()`. The Node entry point's `WASI`
 * and `WasiBuilder` are bound to it.
 */
import { nodeRuntime } from '../../host/node/node-runtime.js';
import { runInWorker } from '../../exec/node/process-launch.js';
import type { Platform } from '../platform.js';

/** Kiln on Node: the Node runtime, and process workers for `run()`. */
export const nodePlatform: Platform = { runtime: nodeRuntime, runInWorker };
