/**
 * Imports a module by name at run time, hidden from bundlers: an app that never takes the code path
 * that needs it (onnxruntime, `node:fs`) must not need it to build. Resolves to undefined when the
 * module is missing or fails to load.
 */
export async function importOptional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
  } catch {
    return undefined;
  }
}
