/**
 * Connections view: project → connection → fields. Expanding a connection resolves it (through
 * the cache); each field shows resolved / unresolved / malformed and never the value.
 */
import * as vscode from 'vscode';
import { providerFor } from '../../core/config';
import { describeError } from '../../core/errors';
import type { Connection, ConnectionField, WorkspaceModel } from '../../core/model';
import type { ValueFinding } from '../../core/lint';
import { cacheKey, type ResolvedConnection, type ResolvedReference } from '../../core/resolver';
import { CREDENTIAL_FIELD_NAMES } from '../../core/schema';
import { isTestable } from '../../testers';
import type { Ctx } from '../ctx';
import { lintLook } from '../lintBadges';

export class ProjectItem extends vscode.TreeItem {
  constructor(
    readonly model: WorkspaceModel,
    readonly project: string,
    readonly connections: Connection[],
  ) {
    super(project || 'workspace root', vscode.TreeItemCollapsibleState.Expanded);
    this.id = `project:${model.root}:${project}`;
    this.description = `${connections.length} connection${connections.length === 1 ? '' : 's'}`;
    this.iconPath = new vscode.ThemeIcon(project ? 'folder' : 'root-folder');
    this.contextValue = 'project';
  }
}

export class ConnectionItem extends vscode.TreeItem {
  constructor(
    readonly model: WorkspaceModel,
    readonly connection: Connection,
    summary: ResolvedSummary | undefined,
    testResult?: ShownTestResult,
  ) {
    super(connection.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `connection:${connection.file}:${connection.name}`;
    const refs = connection.fields.reduce((n, f) => n + f.references.length, 0);
    const status = summary ? (summary.ok ? 'resolved' : summary.malformed ? 'malformed' : 'unresolved') : refs ? 'not resolved yet' : 'no references';
    this.description = testResult ? `${connection.type} · ${testResult.ok ? 'test passed' : `test failed${testResult.failure ? `: ${testResult.failure}` : ''}`}${testResult.durationMs !== undefined ? ` · ${testResult.durationMs} ms` : ''}` : `${connection.type} · ${status}`;
    this.tooltip = new vscode.MarkdownString(
      [`**${connection.name}** (${connection.type})`, `${refs} reference(s): ${status}`, ...(summary?.errors ?? []).map((e) => `- ${e}`), testResult ? `\nLast test: ${testResult.message}` : ''].join('\n\n'),
    );
    this.iconPath = new vscode.ThemeIcon(
      testResult ? (testResult.ok ? 'pass' : 'error') : !summary ? 'plug' : summary.ok ? 'pass' : summary.malformed ? 'error' : 'warning',
      testResult ? new vscode.ThemeColor(testResult.ok ? 'testing.iconPassed' : 'testing.iconFailed') : undefined,
    );
    this.contextValue = `connection${refs ? ' hasReferences' : ''}${isTestable(connection.type) ? ' testable' : ''}`;
    this.command = { command: 'connectionSecrets.connection.reveal', title: 'Go to definition', arguments: [this] };
  }
}

export class FieldItem extends vscode.TreeItem {
  constructor(
    readonly parent: ConnectionItem,
    readonly field: ConnectionField,
    refs: ResolvedReference[] | undefined,
    untrusted: boolean,
    /** Lint findings of the fetched values its references point at (never the values). */
    valueFindings?: readonly ValueFinding[],
  ) {
    super(field.path, vscode.TreeItemCollapsibleState.None);
    this.id = `field:${parent.id}:${field.path}`;
    const leaf = field.path.split('.').pop() ?? '';
    const n = field.references.length;
    if (n === 0) {
      // Literal values are shown, except in credential fields where they are a hard-coded secret.
      const hardCoded = CREDENTIAL_FIELD_NAMES.has(leaf);
      this.description = hardCoded ? 'hard-coded value (move it to the secrets manager)' : field.value;
      this.iconPath = new vscode.ThemeIcon(hardCoded ? 'warning' : 'symbol-field');
      this.contextValue = 'field';
    } else {
      const malformed = field.references.some((r) => r.error) || refs?.some((r) => r.status === 'malformed');
      const resolved = refs && refs.length > 0 && refs.every((r) => r.status === 'resolved');
      const state = malformed ? 'malformed' : untrusted ? 'not resolved (untrusted workspace)' : !refs ? 'not resolved yet' : resolved ? 'resolved' : 'unresolved';
      const version = resolved ? refs!.map((r) => r.version).filter(Boolean)[0] : undefined;
      this.description = `${state}${version ? ` · v${shortVersion(version)}` : ''}`;
      const reasons = [...field.references.filter((r) => r.error).map((r) => `${r.raw}: ${r.error}`), ...(refs ?? []).filter((r) => r.error).map((r) => `${r.raw}: ${r.error}`)];
      this.tooltip = new vscode.MarkdownString([field.references.map((r) => `\`${r.raw}\``).join('\n\n'), ...reasons.map((r) => `- ${r}`)].join('\n\n'));
      this.iconPath = new vscode.ThemeIcon(malformed ? 'error' : resolved ? 'pass' : untrusted || !refs ? 'circle-outline' : 'warning');
      this.contextValue = `field reference${resolved ? ' resolved' : ''}`;
      const look = malformed ? undefined : lintLook(this.id, valueFindings);
      if (look) {
        this.iconPath = look.icon;
        this.description = `${this.description} · ${look.summary}`;
        this.tooltip = new vscode.MarkdownString(`${(this.tooltip as vscode.MarkdownString).value}\n\n${look.tooltip}`, true);
        this.contextValue += ' lintProblems';
        this.resourceUri = look.resourceUri;
      }
    }
  }
}

type Node = ProjectItem | ConnectionItem | FieldItem;

/** A connection's last test as the tree shows it (never a credential: testers report none). */
export interface ShownTestResult {
  ok: boolean;
  message: string;
  /** The failure class in words ("bad credentials"). */
  failure?: string;
  durationMs?: number;
}

/** What the tree keeps of a resolution: statuses only, never values. */
interface ResolvedSummary {
  ok: boolean;
  malformed: boolean;
  errors: string[];
  references: ResolvedReference[];
}

export function summarize(r: ResolvedConnection): ResolvedSummary {
  return {
    ok: r.ok,
    malformed: r.references.some((x) => x.status === 'malformed'),
    errors: r.references.filter((x) => x.error).map((x) => `${x.field}: ${x.error}`),
    references: r.references.map((x) => ({ ...x })),
  };
}

function shortVersion(v: string): string {
  return v.length > 12 ? v.slice(0, 8) : v;
}

export class ConnectionsTreeDataProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly summaries = new Map<string, ResolvedSummary>();
  private readonly tests = new Map<string, ShownTestResult>();
  private readonly subscription: vscode.Disposable;

  private readonly lintSubscription: { dispose(): void };

  constructor(private readonly ctx: Ctx) {
    this.lintSubscription = ctx.valueLints.onDidChange(() => this.emitter.fire(undefined));
    this.subscription = ctx.models.onDidChange(() => {
      // A changed file may change any reference: statuses and test results start over.
      this.summaries.clear();
      this.tests.clear();
      this.emitter.fire(undefined);
    });
  }

  refresh(): void {
    this.summaries.clear();
    this.emitter.fire(undefined);
  }

  /** Records a resolution done elsewhere (commands) so the tree shows it. */
  record(r: ResolvedConnection): void {
    this.summaries.set(key(r.connection), summarize(r));
    this.emitter.fire(undefined);
  }

  /** Shows a test result on the connection's item until its file changes. */
  recordTest(connection: Connection, result: ShownTestResult): void {
    this.tests.set(key(connection), result);
    this.emitter.fire(undefined);
  }

  /** The last test result recorded for a connection, if its file has not changed since. */
  lastTest(connection: Connection): ShownTestResult | undefined {
    return this.tests.get(key(connection));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof FieldItem) return node.parent;
    return undefined;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const out: ProjectItem[] = [];
      for (const model of this.ctx.models.all) {
        const byProject = new Map<string, Connection[]>();
        for (const c of model.connections) byProject.set(c.project, [...(byProject.get(c.project) ?? []), c]);
        for (const [project, conns] of [...byProject].sort(([a], [b]) => a.localeCompare(b))) out.push(new ProjectItem(model, project, conns));
      }
      return out;
    }
    if (node instanceof ProjectItem) {
      return node.connections.map((c) => new ConnectionItem(node.model, c, this.summaries.get(key(c)), this.tests.get(key(c))));
    }
    if (node instanceof ConnectionItem) {
      let summary = this.summaries.get(key(node.connection));
      const hasRefs = node.connection.fields.some((f) => f.references.length);
      if (!summary && hasRefs && this.ctx.trusted) {
        try {
          const r = await this.ctx.resolver.resolveConnection(node.connection, providerFor(node.model, node.connection));
          summary = summarize(r);
          this.summaries.set(key(node.connection), summary);
          // The parent's icon and description follow the new status.
          setTimeout(() => this.emitter.fire(undefined), 0);
        } catch (e) {
          this.ctx.log.error(`resolving ${node.connection.name} failed: ${describeError(e)}`);
        }
      }
      const provider = providerFor(node.model, node.connection);
      return node.connection.fields.map((f) => {
        const refs = summary?.references.filter((r) => r.field === f.path);
        return new FieldItem(node, f, refs, !this.ctx.trusted, provider && refs ? this.findingsOf(provider, refs) : undefined);
      });
    }
    return [];
  }

  /** What the linter found in the fetched values these references read (the key they read, or the whole value). */
  private findingsOf(provider: NonNullable<ReturnType<typeof providerFor>>, refs: readonly ResolvedReference[]): ValueFinding[] {
    return refs.flatMap((r) =>
      r.target && r.status === 'resolved'
        ? (this.ctx.valueLints.get(cacheKey(provider, r.target.secretId))?.problems ?? []).filter((p) => (p.key ?? '') === (r.target!.key ?? '') && p.ruleId !== 'secret/not-key-value')
        : [],
    );
  }

  dispose() {
    this.subscription.dispose();
    this.lintSubscription.dispose();
    this.emitter.dispose();
  }
}

function key(c: Connection): string {
  return `${c.file}#${c.name}`;
}
