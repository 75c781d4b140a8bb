/**
 * The API's OpenAPI 3.1 document, written by hand and served at `GET /v1/openapi.json`. The error
 * code table comes from `errors.ts`, so the document and the service cannot disagree on it.
 */
import { BATCH_MEDIA_TYPE, MEDIA_TYPE } from '../codec/index.js';
import { errorTable } from './errors.js';
import { NAME_PATTERN, SUBJECT_PATTERN } from './names.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const ok = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const err = (description: string): Json => ({ description, content: json(ref('Error')) });
const binary = { type: 'string', contentMediaType: 'application/octet-stream' };
const onePayload = {
  description: `One payload (spec/FORMAT.md §2), as \`${MEDIA_TYPE}\` or \`application/octet-stream\`.`,
  required: true,
  content: { [MEDIA_TYPE]: { schema: binary }, 'application/octet-stream': { schema: binary } },
};
const payloads = {
  description: `One payload, or many in the batch envelope (\`${BATCH_MEDIA_TYPE}\`, §11).`,
  required: true,
  content: { ...onePayload.content, [BATCH_MEDIA_TYPE]: { schema: binary } },
};

const param = (name: string, where: 'path' | 'query', schema: Json, description: string, required = where === 'path'): Json => ({
  name, in: where, required, schema, description,
});
const gallery = param('gallery', 'path', { type: 'string', pattern: NAME_PATTERN.source }, "The gallery's name, within the key's tenant.");
const subject = param('subject', 'path', { type: 'string', pattern: SUBJECT_PATTERN.source }, 'The subject id.');
const far = param('far', 'query', { type: 'number', enum: [0.01, 0.001, 0.0001], default: 0.001 }, "False-accept rate: the decision uses the profile's calibrated threshold for it.");
const threshold = param('threshold', 'query', { type: 'number', minimum: -1, maximum: 1 }, 'A raw cosine threshold instead of `far`.');

/** Failures every authenticated route may answer with. */
const common = {
  '401': err('No or unknown API key (`E_UNAUTHORIZED`).'),
  '403': err('The key lacks the scope or the gallery (`E_FORBIDDEN`).'),
  '429': err('Rate limited (`E_RATE_LIMITED`); see `Retry-After`.'),
};
const payloadFailures = {
  '400': err('Bad query or batch envelope (`E_BAD_REQUEST`, `E_BATCH_FORMAT`).'),
  '413': err('Body too large (`E_BODY_TOO_LARGE`, `E_TOO_LARGE`, `E_BATCH_LIMIT`).'),
  '415': err('Not a payload media type (`E_UNSUPPORTED_MEDIA_TYPE`).'),
  '422': err('The payload does not decode: the codec code of spec §9 (`E_CHECK`, `E_TRUNCATED`, ...).'),
};
const notFound = { '404': err('No such gallery or subject (`E_NOT_FOUND`).') };
/** Failures of routes that name a gallery (and maybe a subject) but take no payload. */
const badName = { '400': err('A bad gallery or subject name, query option or cursor (`E_BAD_REQUEST`).') };
/** identify and verify: the routes that check signed payloads (spec §13). */
const signedFailures = {
  '401': err(
    'No or unknown API key (`E_UNAUTHORIZED`); or the payload fails the gallery\'s signature policy: unsigned where required ' +
      '(`E_UNSIGNED`), an unknown, revoked or expired device key or a wrong tag (`E_AUTH_TAG`), a capture time outside the window (`E_STALE`).',
  ),
  '409': err("The payload's profile is not the gallery's (`E_PROFILE_MISMATCH`), or the gallery has already accepted this signed payload (`E_REPLAY`)."),
};

const schemas: Json = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: errorTable().map((e) => e.code), description: 'Stable code; match on it, never on the message.' },
          message: { type: 'string' },
        },
      },
    },
    'x-status-of-code': Object.fromEntries(errorTable().map((e) => [e.code, e.status])),
  },
  Subject: {
    type: 'object',
    properties: { id: { type: 'string' }, embeddings: { type: 'integer' }, createdAt: { type: 'integer' }, updatedAt: { type: 'integer' } },
  },
  Candidate: { type: 'object', properties: { subject: { type: 'string' }, score: { type: 'number' }, match: { type: 'boolean' } } },
  Embedding: {
    type: 'object',
    properties: {
      profile: { type: 'string' }, profileSha256: { type: 'string' }, mode: { type: 'integer' }, dim: { type: 'integer' },
      extensions: { type: 'object' }, embedding: { type: 'array', items: { type: 'number' } },
    },
  },
  Profile: {
    type: 'object',
    properties: {
      id: { type: 'integer' }, name: { type: 'string' }, sha256: { type: 'string' }, maxBytes: { type: 'integer' }, embeddingDim: { type: 'integer' },
      grid: { type: 'object' }, thresholds: { type: 'object', properties: { far1e2: { type: 'number' }, far1e3: { type: 'number' }, far1e4: { type: 'number' } } },
    },
  },
  Gallery: {
    type: 'object',
    properties: {
      tenant: { type: 'string' }, gallery: { type: 'string' }, dim: { type: 'integer' }, subjects: { type: 'integer' }, createdAt: { type: 'integer' },
      profile: { type: 'object', properties: { sha256: { type: 'string' }, name: { type: 'string' } } },
    },
  },
};

/** The OpenAPI 3.1 document. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'facevq matcher',
      version: '1',
      description:
        'Receives facevq payloads (spec/FORMAT.md), embeds them with the profile\'s head and matches them against galleries. ' +
        'Keys are bound to one tenant; gallery names are scoped to it. Errors are `{ error: { code, message } }`; ' +
        'the status of each code is in `components.schemas.Error.x-status-of-code`. A path asked with a method it does not answer ' +
        'gets 405 `E_METHOD_NOT_ALLOWED` with an `Allow` header.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `fvq_...`.' } }, schemas },
    paths: {
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': ok('Up', { type: 'object' }) } } },
      '/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': ok('OpenAPI 3.1', { type: 'object' }) } } },
      '/v1/profiles': {
        get: { summary: 'Profiles the service decodes', responses: { '200': ok('Profiles', { type: 'object', properties: { profiles: { type: 'array', items: ref('Profile') } } }), ...common } },
      },
      '/v1/embed': {
        post: {
          summary: 'A payload to its embedding (scope read)',
          requestBody: payloads,
          responses: { '200': ok('The embedding; for a batch, `{ items: [{ id, ...Embedding } | { id, error }] }`', ref('Embedding')), ...common, ...payloadFailures },
        },
      },
      '/v1/preview': {
        post: {
          summary: 'The face a payload keeps, reconstructed by the profile\'s VQ-VAE decoder (scope read; Node only, profiles with a decoder)',
          requestBody: onePayload,
          responses: {
            '200': { description: 'The reconstruction (the decoder\'s size); `X-Facevq-Decoder` names the decoder file', content: { 'image/png': { schema: binary } } },
            ...common, ...payloadFailures, '404': err('No decoder for the payload\'s profile on this server (`E_NOT_FOUND`).'),
          },
        },
      },
      '/v1/galleries/{gallery}': {
        parameters: [gallery],
        get: { summary: 'A gallery (scope read)', responses: { '200': ok('Gallery', ref('Gallery')), ...badName, ...common, ...notFound } },
        delete: { summary: 'Erase a gallery and all its subjects (scope write)', responses: { '204': { description: 'Erased' }, ...badName, ...common, ...notFound } },
      },
      '/v1/galleries/{gallery}/subjects': {
        parameters: [gallery],
        get: {
          summary: 'Subjects, in id order (scope read)',
          parameters: [
            param('limit', 'query', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Page size.'),
            param('cursor', 'query', { type: 'string' }, '`nextCursor` of the previous page.'),
          ],
          responses: {
            '200': ok('A page', { type: 'object', properties: { gallery: { type: 'string' }, subjects: { type: 'array', items: ref('Subject') }, nextCursor: { type: ['string', 'null'] } } }),
            ...badName, ...common, ...notFound,
          },
        },
      },
      '/v1/galleries/{gallery}/subjects/{subject}': {
        parameters: [gallery, subject],
        delete: { summary: 'Erase a subject: its template and every embedding (scope write)', responses: { '204': { description: 'Erased' }, ...badName, ...common, ...notFound } },
      },
      '/v1/galleries/{gallery}/subjects/{subject}/enroll': {
        parameters: [gallery, subject],
        post: {
          summary: 'Add payloads to a subject (scope write)',
          description: 'The gallery is created by its first enrollment and bound to that payload\'s profile. The template is the normalised mean of all the subject\'s embeddings. In a batch, items that fail are listed in `rejected` and the rest are enrolled.',
          requestBody: payloads,
          responses: {
            '201': ok('Subject created', { type: 'object', properties: { gallery: { type: 'string' }, subject: ref('Subject'), profile: { type: 'string' }, added: { type: 'integer' }, rejected: { type: 'array' } } }),
            '200': ok('Subject updated', { type: 'object' }),
            '409': err('Profile mismatch, or the subject or gallery is full (`E_PROFILE_MISMATCH`, `E_SUBJECT_FULL`, `E_GALLERY_FULL`).'),
            ...common, ...payloadFailures,
          },
        },
      },
      '/v1/galleries/{gallery}/identify': {
        parameters: [gallery],
        post: {
          summary: 'The top-k subjects for a payload, with a decision (scope read)',
          parameters: [
            param('k', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 5 }, 'How many candidates.'),
            far, threshold,
            param('precision', 'query', { type: 'string', enum: ['f32', 'i8', 'auto'], default: 'auto' }, '`i8` scans the int8 copy and rescores its shortlist in f32; `auto` does so from 4096 subjects. Scores are exact f32 either way.'),
          ],
          requestBody: onePayload,
          responses: {
            '200': ok('Candidates, best first; `match` is the best one when it reaches the threshold', {
              type: 'object',
              properties: {
                gallery: { type: 'string' }, profile: { type: 'string' }, threshold: { type: 'number' }, far: { type: ['number', 'null'] },
                match: { type: ['object', 'null'] }, candidates: { type: 'array', items: ref('Candidate') },
              },
            }),
            ...common, ...payloadFailures, ...notFound, ...signedFailures,
          },
        },
      },
      '/v1/galleries/{gallery}/subjects/{subject}/verify': {
        parameters: [gallery, subject],
        post: {
          summary: 'A payload against one subject (scope read)',
          parameters: [far, threshold],
          requestBody: onePayload,
          responses: {
            '200': ok('Score and decision', { type: 'object', properties: { subject: { type: 'string' }, score: { type: 'number' }, threshold: { type: 'number' }, far: { type: ['number', 'null'] }, match: { type: 'boolean' } } }),
            ...common, ...payloadFailures, ...notFound, ...signedFailures,
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics (Node only)', security: [], responses: { '200': { description: 'Text exposition format 0.0.4' } } } },
    },
  };
}
