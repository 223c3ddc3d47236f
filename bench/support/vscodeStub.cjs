// A minimal stand-in for the `vscode` module, only for timing activation outside an editor:
// every API returns inert objects. It is not used by any test of behaviour (those run in a real
// VS Code, see test/vscode/).
const disposable = { dispose() {} };
function inert() {
  const fn = function () {
    return proxy;
  };
  const proxy = new Proxy(fn, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // not a thenable
      if (prop === Symbol.iterator) return [][Symbol.iterator].bind([]);
      if (prop === 'dispose') return () => undefined;
      return proxy;
    },
    apply() {
      return proxy;
    },
    construct() {
      return proxy;
    },
  });
  return proxy;
}
const any = inert();
class EventEmitter {
  constructor() {
    this.event = () => disposable;
  }
  fire() {}
  dispose() {}
}
class TreeItem {
  constructor(label, state) {
    this.label = label;
    this.collapsibleState = state;
  }
}
const vscode = new Proxy(
  {
    EventEmitter,
    TreeItem,
    Disposable: class {
      dispose() {}
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    CodeActionKind: { Empty: any, QuickFix: any, Refactor: any, Source: any, SourceFixAll: any, SourceOrganizeImports: any },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    workspace: new Proxy(
      { workspaceFolders: [], textDocuments: [], isTrusted: true, getConfiguration: () => ({ get: () => undefined }) },
      { get: (t, p) => (p in t ? t[p] : any) },
    ),
    window: new Proxy({}, { get: () => () => any }),
    commands: new Proxy({}, { get: () => async () => undefined }),
    languages: new Proxy({}, { get: () => () => any }),
  },
  { get: (t, p) => (p in t ? t[p] : any) },
);
module.exports = vscode;
