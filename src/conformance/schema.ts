/**
 * A small JSON Schema (2020-12) validator for the subset `spec/vectors/schema.json` uses, so the
 * vector files are checked without a dependency. A keyword outside the subset is an error in the
 * schema, never silently ignored.
 *
 * Supported: `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`, `items`,
 * `minItems`, `maxItems`, `minLength`, `pattern`, `minimum`, `maximum`, `allOf`, `anyOf`, `oneOf`,
 * `not`, `if`/`then`/`else`, `$ref` (local `#/$defs/...` only) and `$defs`; annotations
 * (`$schema`, `$id`, `$comment`, `title`, `description`) are ignored.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Schema = boolean | { [keyword: string]: JsonValue };

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', '$defs', 'then', 'else']);

/** One failed check: where in the instance, and why. */
export interface SchemaError {
  path: string;
  message: string;
}

function typeOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: JsonValue, t: string): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return typeOf(v) === t;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeOf(v) === 'object';
}

/** Validates `value` against `schema` (whose `$defs` serve `$ref`); returns every error found. */
export function validate(value: JsonValue, schema: Schema, root: Schema = schema, path = '$'): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'no value is allowed here' }];
  const errors: SchemaError[] = [];
  const err = (message: string) => errors.push({ path, message });
  const sub = (v: JsonValue, s: JsonValue, p: string) => errors.push(...validate(v, s as Schema, root, p));
  for (const [kw, arg] of Object.entries(schema)) {
    switch (kw) {
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        if (!types.some((t) => hasType(value, t))) err(`expected ${types.join(' or ')}, got ${typeOf(value)}`);
        break;
      }
      case 'enum':
        if (!(arg as JsonValue[]).some((e) => deepEqual(e, value))) err(`expected one of ${JSON.stringify(arg)}`);
        break;
      case 'const':
        if (!deepEqual(arg, value)) err(`expected ${JSON.stringify(arg)}`);
        break;
      case 'properties':
        if (isObject(value)) {
          for (const [k, s] of Object.entries(arg as Record<string, JsonValue>)) {
            if (k in value) sub(value[k]!, s, `${path}.${k}`);
          }
        }
        break;
      case 'required':
        if (isObject(value)) for (const k of arg as string[]) if (!(k in value)) err(`missing "${k}"`);
        break;
      case 'additionalProperties':
        if (isObject(value)) {
          const known = (schema.properties ?? {}) as Record<string, JsonValue>;
          for (const [k, v] of Object.entries(value)) if (!(k in known)) sub(v, arg, `${path}.${k}`);
        }
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => sub(v, arg, `${path}[${i}]`));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) err(`expected at least ${arg} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) err(`expected at most ${arg} items`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (arg as number)) err(`expected at least ${arg} characters`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(arg as string, 'u').test(value)) err(`does not match /${arg}/`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) err(`expected >= ${arg}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) err(`expected <= ${arg}`);
        break;
      case 'allOf':
        for (const s of arg as JsonValue[]) sub(value, s, path);
        break;
      case 'anyOf':
        if (!(arg as JsonValue[]).some((s) => validate(value, s as Schema, root, path).length === 0)) err('matches none of anyOf');
        break;
      case 'oneOf': {
        const n = (arg as JsonValue[]).filter((s) => validate(value, s as Schema, root, path).length === 0).length;
        if (n !== 1) err(`matches ${n} of oneOf, expected exactly 1`);
        break;
      }
      case 'not':
        if (validate(value, arg as Schema, root, path).length === 0) err('matches the "not" schema');
        break;
      case 'if': {
        const then = validate(value, arg as Schema, root, path).length === 0 ? schema.then : schema.else;
        if (then !== undefined) sub(value, then, path);
        break;
      }
      case '$ref': {
        const ref = arg as string;
        const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
        const defs = typeof root === 'object' ? (root.$defs as Record<string, JsonValue> | undefined) : undefined;
        const target = m && defs ? defs[m[1]!] : undefined;
        if (target === undefined) throw new Error(`schema: unresolvable $ref ${ref}`);
        sub(value, target, path);
        break;
      }
      default:
        if (!ANNOTATIONS.has(kw)) throw new Error(`schema: keyword "${kw}" is not supported by this validator`);
    }
  }
  return errors;
}
