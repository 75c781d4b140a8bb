/**
 * A device in Node: encodes every image in a folder and enrolls or identifies them against a
 * running matcher service.
 *
 *   npx tsx examples/node-device.ts enroll   --dir photos/ --url http://localhost:8787 --key fvq_... --gallery staff
 *   npx tsx examples/node-device.ts identify --dir probes/ --url http://localhost:8787 --key fvq_... --gallery staff
 *
 * Subjects: `photos/alice/1.jpg` enrolls subject `alice`; a loose `photos/bob.jpg` enrolls `bob`.
 * Several photos of one subject go up in one batch (the batch envelope, spec §11). Faces are
 * detected with face-api (the face nearest the centre); pass `--profile s` for the smaller payloads
 * and `--runtime ts` to run without onnxruntime-node. Prints one JSON object a line.
 *
 * In an app, import from the package instead: `facevq/sdk/node` (this example imports the source).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatcherClient, NodeFaceEncoder, type RuntimeName } from '../src/sdk/node/index.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** The images under `dir`, grouped by subject: a sub-folder's name, or a loose file's base name. */
export function subjectsIn(dir: string): Map<string, string[]> {
  const subjects = new Map<string, string[]>();
  const add = (subject: string, file: string) => subjects.set(subject, [...(subjects.get(subject) ?? []), file]);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const f of fs.readdirSync(full).filter((f) => IMAGE.test(f)).sort()) add(entry.name, path.join(full, f));
    } else if (IMAGE.test(entry.name)) {
      add(path.basename(entry.name, path.extname(entry.name)), full);
    }
  }
  return subjects;
}

function flag(argv: string[], name: string, fallback?: string): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

/** Runs the example; `print` receives one JSON-able object per subject or image. */
export async function main(argv: string[], print: (line: object) => void = (l) => console.log(JSON.stringify(l))): Promise<void> {
  const command = argv[0];
  if (command !== 'enroll' && command !== 'identify') throw new Error('usage: node-device.ts enroll|identify --dir DIR --url URL --key KEY --gallery NAME [--profile m|s] [--runtime auto|node|web|ts]');
  const client = new MatcherClient({ baseUrl: flag(argv, 'url'), apiKey: flag(argv, 'key') });
  const gallery = flag(argv, 'gallery');
  const profileArg = flag(argv, 'profile', 'm');
  const profile = fs.existsSync(profileArg) ? new Uint8Array(fs.readFileSync(profileArg)) : (profileArg as 'm' | 's');
  const modelArg = argv.includes('--model') ? new Uint8Array(fs.readFileSync(flag(argv, 'model'))) : undefined;
  const encoder = await NodeFaceEncoder.load({ profile, runtime: flag(argv, 'runtime', 'auto') as RuntimeName, ...(modelArg && { modelBytes: modelArg }) });

  for (const [subject, files] of subjectsIn(flag(argv, 'dir'))) {
    const payloads: Uint8Array[] = [];
    for (const file of files) {
      try {
        payloads.push((await encoder.encodeImage(file)).payload);
      } catch (error) {
        print({ file, error: String(error) });
      }
    }
    if (payloads.length === 0) continue;
    if (command === 'enroll') {
      const result = await client.enroll(gallery, subject, payloads.length === 1 ? payloads[0]! : payloads);
      print({ subject, added: result.added, rejected: result.rejected.length, created: result.created, bytes: payloads.map((p) => p.length) });
    } else {
      for (const [i, payload] of payloads.entries()) {
        const result = await client.identify(gallery, payload, { k: 3 });
        print({ file: files[i], expected: subject, match: result.match, candidates: result.candidates, bytes: payload.length });
      }
    }
  }
  await encoder.dispose();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    () => process.exit(0), // face-api's TensorFlow.js keeps handles open
    (error: unknown) => { console.error(error instanceof Error ? error.message : error); process.exit(1); },
  );
}
