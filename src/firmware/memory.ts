/**
 * Static memory for the generated network: every value gets an offset in one arena, and values
 * whose lifetimes do not overlap share bytes. Sizes are known at generation time, so the firmware
 * needs no heap and its peak activation RAM is a constant.
 *
 * Greedy by size (as TensorFlow Lite Micro's planner): the largest value is placed first, each at
 * the lowest offset where it overlaps no placed value that is live at the same time. An in-place
 * step (Add, Relu, Add/Mul by a constant) writes its output over its first input when that input
 * dies there: the two form one block with the union of their lifetimes.
 */

/** What the planner needs of a step: the values it reads and writes, and whether it may overwrite its first input. */
export interface PlannedStep {
  inputs: number[];
  output: number;
  inPlace: boolean;
}

/** The plan: each value's offset in the arena (in floats) and the arena's size. */
export interface MemoryPlan {
  offsets: Map<number, number>;
  arenaFloats: number;
}

/**
 * Assigns value ids to arena offsets. `sizes[id]` is each value's length in floats; the graph
 * input (id `input`) is written before the first step, and `output` stays live after the last.
 */
export function planMemory(steps: readonly PlannedStep[], sizes: readonly number[], input: number, output: number): MemoryPlan {
  const first = new Map<number, number>([[input, -1]]), last = new Map<number, number>([[input, -1]]);
  steps.forEach((s, i) => {
    if (!first.has(s.output)) first.set(s.output, i);
    last.set(s.output, Math.max(last.get(s.output) ?? i, i));
    for (const v of s.inputs) last.set(v, i);
  });
  last.set(output, steps.length);

  // Blocks: a value, or a chain of values written in place over each other.
  const blockOf = new Map<number, number>();
  const blocks: { values: number[]; size: number; from: number; to: number }[] = [];
  for (const v of first.keys()) blockOf.set(v, blocks.push({ values: [v], size: sizes[v]!, from: first.get(v)!, to: last.get(v)! }) - 1);
  steps.forEach((s, i) => {
    const x = s.inputs[0];
    if (!s.inPlace || x === undefined || last.get(x) !== i || sizes[x] !== sizes[s.output] || s.inputs.indexOf(x, 1) > 0) return;
    const into = blocks[blockOf.get(x)!]!, from = blockOf.get(s.output)!;
    if (from === blockOf.get(x)) return;
    const moved = blocks[from]!;
    into.values.push(...moved.values);
    into.to = Math.max(into.to, moved.to);
    for (const v of moved.values) blockOf.set(v, blockOf.get(x)!);
    moved.values = [];
  });

  const placed: { at: number; size: number; from: number; to: number }[] = [];
  const offsets = new Map<number, number>();
  let arenaFloats = 0;
  for (const b of blocks.filter((b) => b.values.length > 0).sort((p, q) => q.size - p.size || p.from - q.from)) {
    const live = placed.filter((p) => p.from <= b.to && b.from <= p.to).sort((p, q) => p.at - q.at);
    let at = 0;
    for (const p of live) {
      if (at + b.size <= p.at) break;
      at = Math.max(at, p.at + p.size);
    }
    placed.push({ at, size: b.size, from: b.from, to: b.to });
    for (const v of b.values) offsets.set(v, at);
    arenaFloats = Math.max(arenaFloats, at + b.size);
  }
  return { offsets, arenaFloats };
}
