/**
 * Checks responses against the served OpenAPI document: a suite's fetcher wrapped by
 * {@link OpenApiRecorder.wrap} records every answer, and the test file asserts at the end that
 * each one was declared: its path and method, its status among the operation's responses, and
 * for an error body a code of the `Error` schema whose status (`x-status-of-code`) is the one sent.
 */
import { openApiDocument } from '../../src/worker/openapi.js';
import type { Fetcher } from './fixtures.js';

interface Operation {
  responses: Record<string, unknown>;
}

type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { Error: { 'x-status-of-code': Record<string, number> } } };
};

/** `/v1/galleries/{gallery}` → a regex matching concrete paths. */
const templateRegex = (template: string): RegExp => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);

/** Records responses and lists those the document does not declare. */
export class OpenApiRecorder {
  private readonly doc = openApiDocument() as unknown as Doc;
  private readonly routes = Object.entries(this.doc.paths).map(([template, ops]) => ({ template, regex: templateRegex(template), ops }));
  /** What the document does not declare, one line each. */
  readonly problems: string[] = [];
  /** How many responses were checked. */
  checked = 0;

  /** `fetcher`, recording each response. */
  wrap(fetcher: Fetcher): Fetcher {
    return async (path, init) => {
      const response = await fetcher(path, init);
      this.check(init.method ?? 'GET', path, response.status, await response.clone().text());
      return response;
    };
  }

  private check(method: string, url: string, status: number, text: string): void {
    this.checked++;
    const path = url.split('?')[0]!;
    const what = `${method} ${path} → ${status}`;
    const body = text ? (JSON.parse(text) as { error?: { code: string } }) : null;
    const code = body?.error?.code;
    if (code !== undefined && this.doc.components.schemas.Error['x-status-of-code'][code] !== status) {
      this.problems.push(`${what}: code ${code} is not declared with status ${status}`);
    }
    const route = this.routes.find((r) => r.regex.test(path) && r.ops[method.toLowerCase()]);
    if (!route) {
      // Undeclared on purpose: 404 for a path no route has, 405 (with `Allow`) for a documented path under another method.
      const allowed = (status === 404 && code === 'E_NOT_FOUND') || (status === 405 && code === 'E_METHOD_NOT_ALLOWED' && this.routes.some((r) => r.regex.test(path)));
      if (!allowed) this.problems.push(`${what}: no such operation in the document`);
      return;
    }
    if (!(String(status) in route.ops[method.toLowerCase()]!.responses)) this.problems.push(`${what}: status not among ${route.template}'s responses`);
  }
}
