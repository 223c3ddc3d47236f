/** The extension's settings, read through one typed object that follows changes. */
import * as vscode from 'vscode';

export const SECTION = 'connectionSecrets';

export interface Settings {
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
  revealSeconds: number;
  clipboardClearSeconds: number;
  timeoutSeconds: number;
  pageSize: number;
  resolveInDiagnostics: boolean;
  showViewOnStartup: boolean;
  lintPemForm: string;
  lintExpiryWarningDays: number;
  lintDisabledRules: string[];
  testTimeoutSeconds: number;
  workatoDataCenter: string;
  workatoBaseUrl: string;
}

/** Keys as contributed in package.json; a unit test checks the two agree. */
export const SETTING_KEYS: Record<keyof Settings, string> = {
  cacheTtlSeconds: 'cache.ttlSeconds',
  cacheMaxEntries: 'cache.maxEntries',
  revealSeconds: 'reveal.seconds',
  clipboardClearSeconds: 'clipboard.clearAfterSeconds',
  timeoutSeconds: 'providers.timeoutSeconds',
  pageSize: 'providers.pageSize',
  resolveInDiagnostics: 'diagnostics.resolveReferences',
  showViewOnStartup: 'showViewOnStartup',
  lintPemForm: 'lint.pemForm',
  lintExpiryWarningDays: 'lint.expiryWarningDays',
  lintDisabledRules: 'lint.disabledRules',
  testTimeoutSeconds: 'test.timeoutSeconds',
  workatoDataCenter: 'workato.dataCenter',
  workatoBaseUrl: 'workato.baseUrl',
};

const DEFAULTS: Settings = {
  cacheTtlSeconds: 300,
  cacheMaxEntries: 1000,
  revealSeconds: 10,
  clipboardClearSeconds: 30,
  timeoutSeconds: 10,
  pageSize: 50,
  resolveInDiagnostics: true,
  showViewOnStartup: false,
  lintPemForm: 'escaped',
  lintExpiryWarningDays: 30,
  lintDisabledRules: [],
  testTimeoutSeconds: 10,
  workatoDataCenter: 'us',
  workatoBaseUrl: '',
};

export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  private current: Settings;

  constructor() {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) {
        this.current = this.read();
        this.emitter.fire();
      }
    });
  }

  get settings(): Readonly<Settings> {
    return this.current;
  }

  private read(): Settings {
    const c = vscode.workspace.getConfiguration(SECTION);
    const out = { ...DEFAULTS };
    for (const [k, key] of Object.entries(SETTING_KEYS) as [keyof Settings, string][]) {
      const v = c.get(key);
      if (typeof v === typeof DEFAULTS[k]) (out as Record<string, unknown>)[k] = v;
    }
    return out;
  }

  dispose() {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
