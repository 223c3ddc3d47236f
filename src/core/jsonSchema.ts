/**
 * The JSON Schema (draft-07) of `connections.yaml`, generated from the field tables in schema.ts
 * so the two cannot drift: `npm run schema` writes schemas/connections.schema.json, which the
 * extension contributes for `yamlValidation` (the YAML language server validates with it when it
 * is installed), and a unit test fails when the shipped file differs from this function's output.
 * The extension's own diagnostics stay the source of truth: they also check scope, references and
 * secrets, which a schema cannot.
 */
import { PROVIDER_TYPES } from './model';
import { CONNECTION_COMMON_FIELDS, CONNECTION_FIELDS, PROVIDER_FIELDS, type FieldSpec } from './schema';

type Json = Record<string, unknown>;

const REFERENCE_PATTERN = '\\{\\{workato:sm:';

function fieldSchema(spec: FieldSpec, allowReference: boolean): Json {
  const out: Json = {};
  if (spec.description) out.description = spec.description;
  if (spec.fields) Object.assign(out, mappingSchema(spec.fields, allowReference));
  else if (spec.enum) {
    // A connection field may hold a reference instead of one of its values (the loader allows it).
    if (allowReference) out.anyOf = [{ enum: [...spec.enum] }, { type: 'string', pattern: REFERENCE_PATTERN }];
    else out.enum = [...spec.enum];
  }
  return out;
}

function mappingSchema(fields: Record<string, FieldSpec>, allowReference: boolean, extra: Record<string, Json> = {}): Json {
  const required = Object.entries(fields)
    .filter(([, f]) => f.required)
    .map(([k]) => k);
  return {
    type: 'object',
    properties: { ...extra, ...Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, fieldSchema(f, allowReference)])) },
    additionalProperties: false,
    ...(required.length ? { required } : {}),
  };
}

/** The schema object; `JSON.stringify(connectionsJsonSchema(), null, 2)` is the shipped file. */
export function connectionsJsonSchema(): Json {
  const providerType: Json = { enum: [...PROVIDER_TYPES], description: 'The secrets manager: aws | vault | azure | env | file' };
  const connectionTypes = Object.keys(CONNECTION_FIELDS);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://connection-secrets.dev/schemas/connections.schema.json',
    title: 'Connection Secrets: connections.yaml',
    description: 'Connections and the secrets manager their {{workato:sm:…}} references resolve against. Generated from src/core/schema.ts.',
    type: 'object',
    additionalProperties: false,
    properties: {
      secretsManager: {
        type: 'object',
        description: 'The secrets manager: scope (root file only) and the provider block.',
        additionalProperties: false,
        properties: {
          scope: { enum: ['workspace', 'project'], description: 'workspace: one provider for the whole workspace; project: one per project. Only in the workspace root connections.yaml.' },
          provider: { $ref: '#/definitions/provider' },
        },
      },
      connections: {
        type: ['object', 'null'],
        description: 'Connection name → definition. Any field may hold a reference {{workato:sm:…}}.',
        additionalProperties: { $ref: '#/definitions/connection' },
      },
    },
    definitions: {
      provider: {
        type: 'object',
        description: 'The secrets manager of this scope. Its own credentials (secret_id, tokens, client secrets, access keys) are never written here.',
        required: ['type'],
        properties: { type: providerType },
        allOf: PROVIDER_TYPES.map((t) => ({
          if: { properties: { type: { const: t } }, required: ['type'] },
          then: mappingSchema(PROVIDER_FIELDS[t], false, { type: providerType }),
        })),
      },
      connection: {
        type: 'object',
        description: `A connection: ${connectionTypes.join(', ')} (other types are resolved but cannot be tested).`,
        required: ['type'],
        properties: {
          type: { type: 'string', description: `Connection type; known: ${connectionTypes.join(', ')}`, examples: connectionTypes },
          description: { type: 'string' },
        },
        allOf: connectionTypes.map((t) => ({
          if: { properties: { type: { const: t } }, required: ['type'] },
          then: mappingSchema({ ...CONNECTION_COMMON_FIELDS, ...CONNECTION_FIELDS[t] }, true),
        })),
      },
    },
  };
}

/** The shipped file's exact text. */
export function connectionsJsonSchemaText(): string {
  return `${JSON.stringify(connectionsJsonSchema(), null, 2)}\n`;
}
