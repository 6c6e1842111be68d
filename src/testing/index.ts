/**
 * Test support that ships with Kiln (Node only): the FileSystem contract,
 * which an embedder runs with `node --test` against their own filesystem
 * to check it behaves as Kiln's kernel expects (`kiln-wasm/testing`).
 */
export { fileSystemContract, type ContractFixture, type FileSystemContractOptions } from './filesystem-contract.js';
