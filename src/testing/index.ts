/**
 * Test support that ships with Kiln (Node only): the FileSystem and
 * networking contracts, which an embedder runs with `node --test` against
 * their own filesystem or network to check it behaves as Kiln's kernel
 * expects (`kiln-wasm/testing`).
 */
export { fileSystemContract, type ContractFixture, type FileSystemContractOptions } from './filesystem-contract.js';
export { networkingContract, type NetworkingFixture, type NetworkingContractOptions, type TlsPeer } from './networking-contract.js';
