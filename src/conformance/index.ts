/** The conformance suite: vectors, the line protocol, implementations and the runner. */
export { loadVectors, listVectorFiles, loadSchema, type LoadedCase, type VectorCase, type VectorFile, type VectorKind, type PayloadInput } from './vectors.js';
export { validate, type Schema, type SchemaError, type JsonValue } from './schema.js';
export { startAdapter, AdapterError, type Implementation, type AdapterOptions } from './adapter.js';
export { builtinImplementation } from './builtin.js';
export { runVectors, formatReport, type Report, type CaseResult, type RunOptions } from './runner.js';
export * from './protocol.js';
