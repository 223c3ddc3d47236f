/**
 * The workspace model: what `connections.yaml` files say, with source positions.
 * Everything here is plain data so the CLI, the extension and the tests share it.
 */

/** Zero-based line and character, like VS Code's `Position`. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A fix a lint rule is certain about. `command` fixes need user confirmation and run in the host. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /**
   * The main fix for the problem; the editor marks it preferred. `false` says the fix is a guess
   * (a "did you mean" name) that "Fix all" must never apply, even when it is the only one.
   */
  preferred?: boolean;
  /** Fixes that need the host (e.g. moving a value into the secrets manager) name a command id. */
  command?: { id: string; args: unknown[] };
  /**
   * Switch the document's line ends to LF too. Editors convert inserted line breaks to the
   * document's own, so a fix that removes CR LF from a file must say so.
   */
  eol?: 'lf';
}

/** One finding of a lint rule or of the loader. The extension turns it into a `Diagnostic`. */
export interface Problem {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Absolute path of the file the range refers to. */
  file: string;
  range: Range;
  fixes?: Fix[];
}

export type ProviderType = 'aws' | 'vault' | 'azure' | 'env' | 'file';
export const PROVIDER_TYPES: readonly ProviderType[] = ['aws', 'vault', 'azure', 'env', 'file'];

/**
 * A provider block as written in a `connections.yaml`. Field names are the contract of
 * DESIGN §1; `options` keeps every field (including ones a provider adds later).
 */
export interface ProviderConfig {
  type: ProviderType;
  /** The raw block, validated per type by the loader. */
  options: Record<string, unknown>;
  /** Absolute path of the `connections.yaml` that declares it. */
  file: string;
  /** Folder of that file; relative paths in the block resolve against it. */
  dir: string;
  range: Range;
}

export type Scope = 'workspace' | 'project';

/** A string-valued leaf of a connection, e.g. `auth.password`. */
export interface ConnectionField {
  /** Dotted path below the connection, e.g. `auth.password`. */
  path: string;
  value: string;
  /** Range of the scalar's source text (including quotes). */
  range: Range;
  /** References inside the value, in order. */
  references: ReferenceOccurrence[];
}

export interface Connection {
  name: string;
  type: string;
  /** Absolute path of the declaring file. */
  file: string;
  /** Project label: folder relative to the workspace root ('' for the root file). */
  project: string;
  nameRange: Range;
  range: Range;
  fields: ConnectionField[];
  /** The connection's mapping as plain JS (values unresolved). */
  raw: Record<string, unknown>;
}

export interface ConnectionsFile {
  /** Absolute path. */
  path: string;
  dir: string;
  /** True for the workspace folder's root `connections.yaml`. */
  isRoot: boolean;
  /** Project label: folder relative to the workspace root ('' for the root). */
  project: string;
  /** `secretsManager.scope`, only meaningful in the root file. */
  scope?: Scope;
  scopeRange?: Range;
  provider?: ProviderConfig;
  connections: Connection[];
  /** Loader problems: YAML syntax, unknown fields, bad references, blended scope. */
  problems: Problem[];
  /** Source text, kept so rules and fixes can compute ranges. */
  text: string;
}

/** A reference found in a field value (see `references.ts`). */
export interface ReferenceOccurrence {
  /** The whole `{{…}}` text. */
  raw: string;
  /** The text between `{{workato:sm:` and `}}`. */
  body: string;
  /** Offset of `{{` inside the field value. */
  offset: number;
  /** Range of the `{{…}}` in the file; approximate for folded/escaped scalars (then the field's range). */
  range: Range;
  /** Set when the reference cannot be parsed; the message names the fix. */
  error?: string;
}

export interface WorkspaceModel {
  root: string;
  scope: Scope;
  files: ConnectionsFile[];
  connections: Connection[];
  /** All problems of all files plus cross-file ones (scope rule). */
  problems: Problem[];
}
