/**
 * The CLI's one-line errors. Every failure a command reports is `facevq <command>: CODE: message`,
 * never a stack trace: {@link describeError} finds the stable code of any error the commands raise
 * (the CLI's own, the codec's, the SDK's, Node's system errors, a missing optional package) and
 * anything else is `E_INTERNAL` (the stack only with `FACEVQ_DEBUG=1`).
 */

/** A failure with a stable code, printed as one line; `exitCode` 1 unless said otherwise. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command line that does not fit the command (exit status 2); the CLI points to `--help`. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('E_USAGE', message, 2);
    this.name = 'UsageError';
  }
}

/**
 * The optional packages, each with the install line that brings it and what it belongs with:
 * any of face-api's three needs the other two.
 */
const FACE_API = ['@vladmandic/face-api', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'];
const OPTIONAL_PACKAGES: Record<string, string[]> = {
  'better-sqlite3': ['better-sqlite3'],
  sharp: ['sharp'],
  'onnxruntime-node': ['onnxruntime-node'],
  'onnxruntime-web': ['onnxruntime-web'],
  ...Object.fromEntries(FACE_API.map((name) => [name, FACE_API])),
};

/** The package a "cannot find" error names (ESM or CommonJS wording), if it is one. */
function missingPackage(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') continue;
    const name = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(e.message)?.[1];
    if (name && OPTIONAL_PACKAGES[name]) return name;
  }
  return undefined;
}

/** Node's system errors (`ENOENT`, `EACCES`, `EADDRINUSE`...) carry their code as a string. */
function systemCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) ? code : undefined;
}

/** The code and one-line message for any error a command throws. */
export function describeError(error: unknown): { code: string; message: string } {
  const pkg = missingPackage(error);
  if (pkg) return { code: 'E_MISSING_PACKAGE', message: `this needs the optional package ${pkg}: npm i ${OPTIONAL_PACKAGES[pkg]!.join(' ')}` };
  if (!(error instanceof Error)) return { code: 'E_INTERNAL', message: String(error) };
  const code = error instanceof CliError ? error.code : systemCode(error);
  if (code === undefined) return { code: 'E_INTERNAL', message: error.message };
  // The SDK's errors put their code in front of the message already.
  const message = error.message.startsWith(`${code}: `) ? error.message.slice(code.length + 2) : error.message;
  return { code, message: message.split('\n')[0]! };
}
