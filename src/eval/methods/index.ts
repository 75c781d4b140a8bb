/**
 * The methods `facevq eval` compares, by name:
 *
 * | name | what | bytes |
 * |---|---|---|
 * | `facevq:P` | ours with profile P (`facevq` = every profile given) | payload length |
 * | `teacher` | faceres on the 64x64 aligned chip, PCA-projected to 128-D, float32 | 512 |
 * | `teacher-int8` | the descriptor in int8 + a float32 scale | 132 |
 * | `teacher-1bit` | sign of the descriptor (the PCA output is centred on the training mean) | 16 |
 * | `jpeg`, `webp` | the teacher on the compressed chip, near our size | measured |
 * | `jpeg:N`, `webp:N` | the same within a budget of N bytes | measured |
 * | `paper:reconstruct-P` | the teacher on the side decoder's 64x64 reconstruction of our indices (`decoder-P.onnx`) | payload length |
 * | `paper:vqvae-teacher` | the paper's own VQ-VAE (`paper/`, trained for reconstruction): the teacher on its reconstruction | its payload length |
 * | `paper:vqvae-recognizer` | the same reconstruction, embedded by a network distilled on reconstructions | its payload length |
 *
 * Every method but ours needs the teacher (src/eval/teacher.ts), so they run only with its PCA file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Teacher } from '../teacher.js';
import { facevqMethod, type LoadedProfile } from './facevq.js';
import { imageCodecMethod, parseImageMethod } from './image-codec.js';
import type { Method, SourceMethod } from './method.js';
import { findPaperModels, paperRecognizerMethod, paperTeacherMethod } from './paper-vqvae.js';
import { reconstructMethod, teacherOnReconstruction } from './reconstruct.js';
import { teacherInt8Method, teacherMethod, teacherOneBitMethod } from './teacher.js';

export type { Method, SourceMethod, DerivedMethod, PrepareContext } from './method.js';
export { loadProfile, resolveProfileFile, shippedProfiles, type LoadedProfile } from './facevq.js';

/** What building methods needs. */
export interface MethodOptions {
  modelsDir: string;
  profiles: readonly LoadedProfile[];
  /**
   * The teacher, opened on first use (a bad PCA file fails then, not before); absent when there is
   * no PCA file, and then only ours runs.
   */
  teacher?: () => Teacher;
}

/** The decoder model for profile `name`, if present. */
function decoderFile(modelsDir: string, name: string): string | undefined {
  const file = path.join(modelsDir, `decoder-${name}.onnx`);
  return fs.existsSync(file) ? file : undefined;
}

/** Every method that can run with these options, in table order. */
export function defaultMethodNames(options: MethodOptions): string[] {
  const ours = options.profiles.map((p) => `facevq:${p.profile.name}`);
  if (!options.teacher) return ours;
  const paper = options.profiles.filter((p) => decoderFile(options.modelsDir, p.profile.name)).map((p) => `paper:reconstruct-${p.profile.name}`);
  // jpeg/webp: as near our bytes as each format goes. jpeg:1200 is the issue's reference point (a
  // 64x64 chip at high JPEG quality takes 1 to 3 KB). webp:500 was first picked on 600 View 2
  // pairs (the smallest budget keeping face-api's former teacher within ~5 points). Redone on View
  // 1 with the rule fixed before the run (budgets 150-700 on all 2,200 DevTrain pairs, the
  // smallest within 5 points of today's teacher): that rule picks webp:400 (94.23% vs 97.59%;
  // webp:300 is 7.5 points off), confirmed on DevTest (94.30% vs 96.30%); webp:500 is 1.5-1.6
  // points off on both. webp:500 stays the reference: the stronger of the two baselines, and the
  // one the View 2 table and the README's energy rows measured (models/README.md, "What touched
  // View 2").
  if (findPaperModels(options.modelsDir)) paper.push('paper:vqvae-teacher', 'paper:vqvae-recognizer');
  return [...ours, 'teacher', 'teacher-int8', 'teacher-1bit', 'jpeg', 'webp', 'jpeg:1200', 'webp:500', ...paper];
}

/** Builds the named methods; throws a RangeError naming an unknown or unavailable method. */
export function createMethods(names: readonly string[], options: MethodOptions): Method[] {
  const byProfile = new Map(options.profiles.map((p) => [p.profile.name, p]));
  const ours = new Map<string, ReturnType<typeof facevqMethod>>();
  const oursFor = (name: string) => {
    const loaded = byProfile.get(name);
    if (!loaded) throw new RangeError(`no profile named ${JSON.stringify(name)} is loaded (have: ${[...byProfile.keys()].join(', ') || 'none'})`);
    let method = ours.get(name);
    if (!method) ours.set(name, (method = facevqMethod(loaded, options.modelsDir)));
    return method;
  };
  const teacher = (name: string): Teacher => {
    if (!options.teacher) throw new RangeError(`${name} needs the teacher's PCA projection (--teacher-pca FILE; by default <models>/build/teacher-pca.json, which training writes)`);
    return options.teacher();
  };
  const expanded = names.flatMap((n) => (n === 'facevq' ? options.profiles.map((p) => `facevq:${p.profile.name}`) : [n]));
  const methods: Method[] = [];
  for (const name of [...new Set(expanded)]) {
    if (name.startsWith('facevq:')) {
      methods.push(oursFor(name.slice('facevq:'.length)));
    } else if (name.startsWith('paper:reconstruct-')) {
      const profileName = name.slice('paper:reconstruct-'.length);
      const decoder = decoderFile(options.modelsDir, profileName);
      if (!decoder) throw new RangeError(`${name} needs ${path.join(options.modelsDir, `decoder-${profileName}.onnx`)}`);
      const encoder = oursFor(profileName).encoder;
      methods.push(reconstructMethod(byProfile.get(profileName)!, decoder, encoder, teacherOnReconstruction(teacher(name))));
    } else if (name === 'paper:vqvae-teacher' || name === 'paper:vqvae-recognizer') {
      const models = findPaperModels(options.modelsDir);
      if (!models) throw new RangeError(`${name} needs ${path.join(options.modelsDir, 'paper')}/{paper-m.fvqp,decoder-m.onnx,recognizer.onnx} (training/paper.py)`);
      methods.push(name === 'paper:vqvae-teacher' ? paperTeacherMethod(models, teacher(name)) : paperRecognizerMethod(models));
    } else if (name === 'teacher') {
      methods.push(teacherMethod(teacher(name)));
    } else if (name === 'teacher-int8') {
      methods.push(teacherInt8Method(teacher(name)));
    } else if (name === 'teacher-1bit') {
      methods.push(teacherOneBitMethod(teacher(name)));
    } else if (parseImageMethod(name)) {
      methods.push(imageCodecMethod(name, teacher(name)));
    } else {
      throw new RangeError(`unknown method ${JSON.stringify(name)} (known: facevq[:P], teacher, teacher-int8, teacher-1bit, jpeg[:N], webp[:N], paper:reconstruct-P, paper:vqvae-teacher, paper:vqvae-recognizer)`);
    }
  }
  return methods;
}

/** The source methods `methods` need: the selected ones plus the sources of derived ones. */
export function sourcesNeeded(methods: readonly Method[], options: MethodOptions): SourceMethod[] {
  const sources = methods.filter((m): m is SourceMethod => m.kind === 'source');
  for (const m of methods) {
    if (m.kind === 'derived' && !sources.some((s) => s.name === m.from)) {
      const [source] = createMethods([m.from], options);
      if (source?.kind === 'source') sources.push(source);
    }
  }
  return sources;
}
